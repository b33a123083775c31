package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExcludeAndWarnings(t *testing.T) {
	dir := t.TempDir()
	plan := strings.Replace(smallPlan, "start: 2024-01-01,", `start: "2024-01-01T00:00:00Z",`, 1)
	for name, text := range map[string]string{
		"plan.yaml":             plan,
		"ci/workflow.yaml":      "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n",
		"helm/values-prod.yaml": "replicas: 2\n",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Without --exclude the other YAML is checked, and the error says how to leave it out.
	r := runCLI(t, nil, "validate", dir)
	if r.code != 1 || !strings.Contains(r.stdout, "if this file is not a plan, exclude it with --exclude") {
		t.Errorf("validate: exit %d\n%s", r.code, r.stdout)
	}
	// --exclude is repeatable, on validate, run and status; the start's offset is warned about.
	r = runCLI(t, nil, "validate", "--exclude", "ci", "--exclude", "values-*.yaml", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "1 plan valid") {
		t.Errorf("validate --exclude: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "warning: ") || !strings.Contains(r.stderr, "windows will start at 08:00:00 local time") {
		t.Errorf("no offset warning on stderr:\n%s", r.stderr)
	}
	r = runCLI(t, nil, "run", "--dry-run", "--exclude", "ci/*", "--exclude", "helm", dir)
	if r.code != 0 {
		t.Errorf("run --dry-run --exclude: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, nil, "status", "--state", filepath.Join(dir, "none.db"), "--exclude", "ci", "--exclude", "helm", dir)
	if r.code != 2 || !strings.Contains(r.stderr, "no state file") {
		t.Errorf("status --exclude: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
