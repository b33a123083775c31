package plan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/planrun/planrun/plan/yamlsrc"
)

func TestUnknownRegionFarFromAllIsAWarningNotAnError(t *testing.T) {
	src := "version: 1\nname: demo\ndefaults:\n  bucket: examplebucket-1250000000\n  region: me-newregion\n" +
		"  workflow: w7476ff3564ee45b7b490d64bccaba6cc\njobs:\n  - name: a\n    prefix: in/\n"
	p, err := Parse("p.yaml", []byte(src))
	if err != nil {
		t.Fatalf("a region planrun does not know must not make the plan invalid: %v", err)
	}
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0].Message, `"me-newregion"`) || p.Warnings[0].Line != 5 {
		t.Errorf("warnings = %v, want one at line 5 naming the region", p.Warnings)
	}
}

func TestKnownRegionsPassWithoutWarning(t *testing.T) {
	for _, r := range KnownRegions() {
		src := "version: 1\nname: demo\ndefaults:\n  bucket: examplebucket-1250000000\n  region: " + r +
			"\n  workflow: w7476ff3564ee45b7b490d64bccaba6cc\njobs:\n  - name: a\n    prefix: in/\n"
		p, err := Parse("p.yaml", []byte(src))
		if err != nil || len(p.Warnings) != 0 {
			t.Errorf("region %s: err %v, warnings %v", r, err, p.Warnings)
		}
	}
}

// The indentation locator only sharpens syntax error messages; on well-formed plans it must
// find nothing, or it would point a real error at the wrong line.
func TestMisindentedFindsNothingInWellFormedPlans(t *testing.T) {
	var files []string
	for _, glob := range []string{"../plans/examples/*.yaml", "testdata/*/*.yaml", "testdata/*.yaml"} {
		m, _ := filepath.Glob(glob)
		files = append(files, m...)
	}
	checked := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, perr := Parse(f, data); perr != nil && strings.Contains(perr.Error(), "YAML syntax error") {
			continue // a file that is meant to be broken
		}
		checked++
		if line, ind, _, _ := yamlsrc.Misindented(data); line != 0 {
			t.Errorf("%s: misindented reports line %d (indent %d) in a file YAML reads fine", f, line, ind)
		}
	}
	if checked < 6 {
		t.Fatalf("checked %d files, want the examples at least", checked)
	}
}

func TestExpansionLimitPointsAtTheJobsWindow(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "big.yaml")
	src := "version: 1\nname: demo\ndefaults:\n  bucket: examplebucket-1250000000\n  region: ap-beijing\n" +
		"  workflow: w7476ff3564ee45b7b490d64bccaba6cc\njobs:\n  - name: small\n    prefix: a/\n" +
		"  - name: big\n    prefix: in/\n    window:\n      start: 2024-01-01\n      end: 2024-02-01\n      every: 1h\n"
	if err := os.WriteFile(f, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := LoadFiles([]string{f}, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || len(res[0].Problems) != 1 {
		t.Fatalf("results = %+v, want one problem", res)
	}
	p := res[0].Problems[0]
	if p.Line != 15 || p.Col != 14 || !strings.Contains(p.Message, `job "big" expands to 744 requests`) ||
		!strings.Contains(p.Message, "--max-requests 745") {
		t.Errorf("problem = %d:%d %s, want 15:14 naming job big and the flag to raise", p.Line, p.Col, p.Message)
	}
}
