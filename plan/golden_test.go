package plan

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/planrun/planrun/internal/testflag"
)

// TestInvalidCatalogue loads every plan in testdata/invalid and compares the problems with
// the golden file beside it. Refresh with: go test ./plan -run InvalidCatalogue -update
func TestInvalidCatalogue(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "invalid", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 60 {
		t.Fatalf("catalogue has %d plans, want at least 60", len(files))
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		t.Run(name, func(t *testing.T) {
			_, err := Load(filepath.ToSlash(f))
			var probs Problems
			if !errors.As(err, &probs) {
				t.Fatalf("Load = %v, want Problems", err)
			}
			checkProblems(t, probs)
			got := err.Error() + "\n"
			golden := strings.TrimSuffix(f, ".yaml") + ".golden"
			if *testflag.Update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./plan -update)", err)
			}
			if got != string(want) {
				t.Errorf("problems differ from %s\ngot:\n%swant:\n%s", golden, got, want)
			}
		})
	}
}

// checkProblems asserts what every caller relies on: each problem is located (unless it is
// about the file as a whole), names its file, and the list is sorted without duplicates.
func checkProblems(t *testing.T, probs Problems) {
	t.Helper()
	if len(probs) == 0 {
		t.Fatal("empty Problems")
	}
	for i, p := range probs {
		if p.File == "" || p.Message == "" {
			t.Errorf("problem %d lacks file or message: %+v", i, p)
		}
		if p.Line < 1 || p.Col < 1 {
			t.Errorf("problem %d has no line:col (the README: every error names file:line:col): %+v", i, p)
		}
		if p.Line < 0 || p.Col < 0 {
			t.Errorf("problem %d has a negative position: %+v", i, p)
		}
		if i > 0 {
			q := probs[i-1]
			if q == p {
				t.Errorf("duplicate problem %+v", p)
			}
			if q.Line > p.Line || q.Line == p.Line && q.Col > p.Col {
				t.Errorf("problems not sorted: %+v before %+v", q, p)
			}
		}
	}
}
