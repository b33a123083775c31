package state

import (
	"path/filepath"
	"testing"
	"time"

	_ "github.com/planrun/planrun/internal/testflag" // accepts -update
	"github.com/planrun/planrun/plan/request"
)

const (
	testBucket = "examplebucket-1250000000"
	testRegion = "ap-beijing"
)

// openStore opens the state file at path (a fresh one in a temp dir when path is empty)
// and closes it when the test ends.
func openStore(t *testing.T, path string) *Store {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "state", "state.db")
	}
	s, err := Open(path)
	if err != nil {
		t.Fatalf("open state: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// testStart and testEnd are a window as the state reads one back.
var testStart, testEnd = mustTime("2024-01-01T00:00:00+0800"), mustTime("2024-01-02T00:00:00+0800")

// mustTime reads a window bound as the state does.
func mustTime(s string) time.Time {
	t, err := request.ParseTime(s)
	if err != nil {
		panic(err)
	}
	return t
}
