package grid

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/planrun/planrun/internal/testflag"
	"github.com/planrun/planrun/report/layout"
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
		t.Fatalf("%v (run go test ./report/grid -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test ./report/grid -update to accept):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// stripANSI removes the colours of the text formats.
func stripANSI(s string) string {
	for _, code := range []string{layout.ANSIReset, layout.ANSIBold, layout.ANSIRed, layout.ANSIGreen, layout.ANSIYellow, layout.ANSICyan} {
		s = strings.ReplaceAll(s, code, "")
	}
	return s
}
