package state

import (
	"path/filepath"
	"testing"

	_ "github.com/planrun/planrun/internal/testflag" // accepts -update
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
