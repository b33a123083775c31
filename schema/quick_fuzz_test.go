package schema

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/planrun/planrun/plan/yamlsrc"
)

// The differential fuzz tests of the quick check: whatever the document, quick never says
// yes where the full validator says no. Run them longer with
//
//	go test ./schema -run x -fuzz FuzzQuickYAML -fuzztime 2m
//	go test ./schema -run x -fuzz FuzzQuickValue -fuzztime 2m

// quickDiff fails when quick accepts doc and the full validator rejects it.
func quickDiff(t *testing.T, v *Validator, q *quick, doc any, what string) {
	t.Helper()
	if !q.ok(doc) {
		return
	}
	if err := v.schema.Validate(doc); err != nil {
		t.Fatalf("%s: quick accepts a document the validator rejects: %v\n%#v", what, err, doc)
	}
}

// quickSeeds are the plans of the repository, valid and not, and a few YAML values that
// are not what they seem.
func quickSeeds(f *testing.F) [][]byte {
	var out [][]byte
	for _, pattern := range []string{"../plans/examples/*.yaml", "../plan/testdata/*/*.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil && len(data) < 64<<10 {
				out = append(out, data)
			}
		}
	}
	if len(out) == 0 {
		f.Fatal("no seed plans found")
	}
	return out
}

const quickYAMLBase = `version: 1
name: plan-1
generation: 2
defaults: &d
  bucket: examplebucket-1250000000
  region: ap-beijing
  workflow: w7476ff3564ee45b7b490d64bccaba6cc
  timezone: Asia/Shanghai
jobs:
  - name: a
    prefixes: [in/, x/]
    window: {start: 2024-01-01T00:00:00+08:00, end: 2024-01-02, every: 1d}
  - name: f
    type: job
    prefix: raw/
    job: {tag: Transcode, template_id: t0a, job_level: 2, callback: no, user_data: u,
      output: {region: ap-beijing, bucket: o-1, object: "out/${InputName}"}}
`

func FuzzQuickYAML(f *testing.F) {
	for _, s := range quickSeeds(f) {
		f.Add(s)
	}
	f.Add([]byte(quickYAMLBase))
	for _, alt := range []string{
		"generation: 1.0", "generation: 1e2", "generation: -0", "generation: 0x10", "generation: 0o7",
		"generation: 99999999999999999999", "generation: 9223372036854775807", "generation: 18446744073709551615",
		"generation: .inf", "generation: ~", "generation: !!str 2", "generation: !!int '3'", "generation: +1",
		"generation: 1_000", "generation: 0b11", "generation: 2.0000000000000001", "generation: 1.5",
	} {
		f.Add([]byte(strings.Replace(quickYAMLBase, "generation: 2", alt, 1)))
	}
	for _, alt := range []string{
		`name: "` + strings.Repeat("é", 40) + `"`, `name: "` + strings.Repeat("é", 41) + `"`,
		`name: "e` + strings.Repeat("\u0301", 39) + `"`, `name: "plan-1\n"`, `name: "plan-1\u2028"`,
		`name: "\U0001F600"`, "name: 0x1f", "name: 12", "name: true", "name: null", "name: <<",
		`name: "` + strings.Repeat("a", 40) + `"`, `name: "` + strings.Repeat("a", 41) + `"`,
	} {
		f.Add([]byte(strings.Replace(quickYAMLBase, "name: plan-1", alt, 1)))
	}
	f.Add([]byte(strings.Replace(quickYAMLBase, "  - name: a\n", "  - <<: *d\n    name: a\n", 1)))
	f.Add([]byte(strings.Replace(quickYAMLBase, "  - name: a\n", "  - name: a\n    name: b\n", 1)))
	f.Add([]byte(strings.Replace(quickYAMLBase, "job_level: 2", "job_level: 3", 1)))
	f.Add([]byte(strings.Replace(quickYAMLBase, "job_level: 2", "job_level: 2.0", 1)))
	f.Add([]byte(strings.Replace(quickYAMLBase, "user_data: u", "user_data: \""+strings.Repeat("ü", 1025)+"\"", 1)))
	v, err := New()
	if err != nil {
		f.Fatal(err)
	}
	if v.quick == nil {
		f.Fatal("the quick check did not compile")
	}
	// The base document is valid and quick says so: the mutations start from a yes.
	var base yaml.Node
	if err := yaml.Unmarshal([]byte(quickYAMLBase), &base); err != nil {
		f.Fatal(err)
	}
	if doc := (&yamlsrc.Converter{Report: func(*yaml.Node, []string, string) {}}).Value(&base); !v.quick.ok(doc) || v.schema.Validate(doc) != nil {
		f.Fatalf("the base document is not a quick yes: %v", v.schema.Validate(doc))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 16<<10 {
			return
		}
		var doc yaml.Node
		dec := yaml.NewDecoder(bytes.NewReader(data))
		if !func() (ok bool) {
			defer func() {
				if recover() != nil {
					ok = false
				}
			}()
			return dec.Decode(&doc) == nil
		}() {
			return
		}
		if yamlsrc.CheckSize(&doc) != nil {
			return
		}
		c := &yamlsrc.Converter{Report: func(*yaml.Node, []string, string) {}}
		quickDiff(t, v, v.quick, c.Value(&doc), "document")
	})
}

// FuzzQuickValue sets one value of a valid document (quickBase) to a value of each kind
// the converter makes, built from the fuzzed string and numbers.
func FuzzQuickValue(f *testing.F) {
	for i, val := range quickValues {
		s, _ := val.(string)
		var n int64
		switch x := val.(type) {
		case int64:
			n = x
		case int:
			n = int64(x)
		}
		f.Add(uint16(i), uint8(i), s, n, 0.0)
	}
	for _, s := range []string{strings.Repeat("é", 40), strings.Repeat("é", 41), "a\n", "w7476ff3564ee45b7b490d64bccaba6cc\n",
		"\u00e9", "e\u0301", "\xff", "ok\x00", "https://a\u00a0b", "1d\n", "1µs", "1μs", "-1.5h", ".5s"} {
		f.Add(uint16(len(s)), uint8(0), s, int64(1), 1.0)
	}
	f.Add(uint16(0), uint8(1), "", int64(math.MaxInt64), 0.0)
	f.Add(uint16(0), uint8(2), "", int64(-1), 0.0)
	f.Add(uint16(0), uint8(3), "", int64(0), 1e2)
	f.Add(uint16(0), uint8(3), "", int64(0), math.Copysign(0, -1))
	v, err := New()
	if err != nil {
		f.Fatal(err)
	}
	paths := quickPaths(quickBase(), nil)
	f.Fuzz(func(t *testing.T, at uint16, kind uint8, s string, n int64, x float64) {
		path := paths[int(at)%len(paths)]
		var val any
		switch kind % 9 {
		case 0:
			val = s
		case 1:
			val = n
		case 2:
			val = uint64(n)
		case 3:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return // the converter never makes these
			}
			val = x
		case 4:
			val = n%2 == 0
		case 5:
			val = nil
		case 6:
			val = []any{s}
		case 7:
			val = map[string]any{s: s}
		case 8:
			val = []any{}
		}
		doc := quickBase()
		set(doc, path, val)
		quickDiff(t, v, v.quick, doc, strings.Join(path, "/"))
	})
}
