package testflag

import (
	"os"
	"path/filepath"
	"testing"
)

// Golden compares got with the file testdata/name of the package under test, or, with
// -update, writes got there instead.
func Golden(t testing.TB, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *Update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update accepts it):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}
