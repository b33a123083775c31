package plan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExamplesAreValid loads every plan in plans/examples: what users copy must work.
func TestExamplesAreValid(t *testing.T) {
	files, err := Discover([]string{filepath.Join("..", "plans", "examples")})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 5 {
		t.Fatalf("only %d examples", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(data), "# yaml-language-server: $schema=../../schema/plan.schema.json\n") {
				t.Error("does not start with the yaml-language-server schema comment")
			}
			p, err := Load(f)
			if err != nil {
				t.Fatalf("invalid example:\n%v", err)
			}
			if len(p.Jobs) == 0 || p.Name == "" {
				t.Errorf("loaded an empty plan: %+v", p)
			}
		})
	}
}

// TestVideoBackfillExample checks the README's headline example resolves as documented.
func TestVideoBackfillExample(t *testing.T) {
	p, err := Load(filepath.Join("..", "plans", "examples", "video-backfill.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	j := p.Jobs[0]
	if len(j.Prefixes) != 2 || len(j.Workflows) != 2 || j.Window == nil || j.Window.Every == nil || j.Window.Every.Days != 1 {
		t.Fatalf("job = %+v", j)
	}
	if got := j.Window.Start.Format(TimeLayout); got != "2024-01-01T00:00:00+0800" {
		t.Errorf("start = %s", got)
	}
	if got := j.Window.End.Sub(j.Window.Start).Hours() / 24; got != 91 {
		t.Errorf("window spans %v days, want 91", got)
	}
	if n := p.Count(); n != 364 {
		t.Errorf("Count() = %d, want 2 prefixes x 2 workflows x 91 days = 364", n)
	}
	if j.Bucket != "examplebucket-1250000000" || j.Region != "ap-beijing" || j.TZName != "Asia/Shanghai" {
		t.Errorf("defaults not applied: %+v", j)
	}
}
