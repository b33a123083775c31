package results

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/planrun/planrun/internal/testflag"
)

// golden compares got with testdata/name, rewriting it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *testflag.Update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report/results -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test ./report/results -update to accept):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}
