package plan

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary bytes to Parse: it must never panic, and every problem must
// be located (line >= 1) unless it concerns the file as a whole.
// Run: go test ./plan -run x -fuzz FuzzParse -fuzztime 60s
func FuzzParse(f *testing.F) {
	for _, pattern := range []string{"../plans/examples/*.yaml", "testdata/invalid/*.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("fuzz.yaml", data)
		if err == nil {
			if p == nil || len(p.Jobs) == 0 {
				t.Fatalf("valid plan without jobs: %+v", p)
			}
			return
		}
		var probs Problems
		if !errors.As(err, &probs) {
			t.Fatalf("Parse returned a non-Problems error: %v", err)
		}
		if len(probs) == 0 {
			t.Fatal("empty Problems")
		}
		for _, pr := range probs {
			if pr.Line < 1 || pr.Col < 1 {
				t.Errorf("problem without a line and column: %+v", pr)
			}
			if pr.Message == "" || pr.File != "fuzz.yaml" {
				t.Errorf("malformed problem: %+v", pr)
			}
		}
	})
}
