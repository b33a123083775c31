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
	// Odd inputs that once crashed or hung a YAML reader: a BOM, lone brackets, anchors
	// and aliases without a document, tags, complex keys, nested dashes, merge keys, numbers
	// out of range, and slips of indentation that the syntax error locator reads.
	for _, src := range []string{
		"\xef\xbb\xbfversion: 1\n", "{", "}", "[", "&a", "*a", "!!binary AAAA", "? a", "- - -", ":", "<<: 1",
		"version: !!float 1\nname: x\njobs: [{name: a, prefix: x, bucket: b-1, region: ap-beijing, workflow: w7476ff3564ee45b7b490d64bccaba6cc}]",
		"version: 1\nname: x\njobs:\n  - name: a\n    prefix: x\n    window: {start: 2024-01-01, end: 2024-02-01, every: 9223372036854775807d}",
		"version: 99999999999999999999999\n", "version: .nan\n", "version: 1\ngeneration: 99999999999999999999\nname: a\njobs: [a]\n",
		"version: 1\nname: x\njobs:\n  - name: a\n   prefix: x\n", "version: 1\nname: x\njobs:\n- name: a\n prefix: x\n",
		"version: 1\nname: x\njobs:\n  - name: a\n    description: |\n   x\n    prefix: y\n",
	} {
		f.Add([]byte(src))
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
