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

// TestExcludeOnEveryFolderCommand: --exclude works on every command that takes plan
// folders, relative to the folder given or to the working directory; a glob that leaves
// nothing out is warned about; the hint of a file that is not a plan names the flag.
func TestExcludeOnEveryFolderCommand(t *testing.T) {
	dir := t.TempDir()
	plans := filepath.Join(dir, "plans")
	for name, text := range map[string]string{
		"plans/plan.yaml":     smallPlan,
		"plans/ci/build.yaml": "on: push\n",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := runCLI(t, nil, "validate", plans)
	want := "exclude it with --exclude " + filepath.ToSlash(filepath.Join(plans, "ci", "build.yaml"))
	if r.code != 1 || !strings.Contains(r.stdout, want) {
		t.Errorf("validate: exit %d, want the hint %q\n%s", r.code, want, r.stdout)
	}
	// The path the hint names leaves the file out.
	if r := runCLI(t, nil, "validate", "--exclude", filepath.Join(plans, "ci", "build.yaml"), plans); r.code != 0 {
		t.Errorf("validate with the hint's flag: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	state := filepath.Join(dir, "s.db")
	for _, args := range [][]string{
		{"validate"},
		{"run", "--dry-run"},
		{"run", "--emulator", "--state", state, "--quiet"},
		{"status", "--emulator", "--state", state},
		{"results", "--emulator", "--state", state},
		{"retry", "--emulator", "--state", state, "--dry-run"},
		{"cancel", "--emulator", "--state", state},
	} {
		for _, glob := range []string{"ci", "ci/", "ci/*.yaml", "plans/ci"} {
			t.Chdir(dir) // "plans/ci" is relative to the working directory
			r := runCLI(t, emulatorVars(), append(append(args, "--exclude", glob), plans)...)
			if r.code == exitUsage || strings.Contains(r.stdout, "build.yaml") || strings.Contains(r.stderr, "warning: --exclude") {
				t.Errorf("%v --exclude %s: exit %d\n%s%s", args, glob, r.code, r.stdout, r.stderr)
			}
		}
	}
	r = runCLI(t, nil, "validate", "--exclude", "ci", "--exclude", "nothing-*.yaml", plans)
	if r.code != 0 || !strings.Contains(r.stderr, "warning: --exclude 'nothing-*.yaml' left out no plan file") ||
		strings.Contains(r.stderr, "--exclude ci left") {
		t.Errorf("a glob that matched nothing: exit %d, want one warning naming it\n%s", r.code, r.stderr)
	}
}

// TestExcludeAbsoluteGlobWithRelativeFolder: an absolute glob leaves out what it names also
// when the folder is given relative to the working directory (".", "../plans"), as a
// relative glob does when the folder is absolute.
func TestExcludeAbsoluteGlobWithRelativeFolder(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"plans/plan.yaml":     smallPlan,
		"plans/ci/build.yaml": "on: push\n",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	abs := filepath.Join(dir, "plans", "ci")
	t.Chdir(filepath.Join(dir, "plans"))
	for _, folder := range []string{".", "../plans"} {
		for _, glob := range []string{abs, abs + "/*.yaml"} {
			r := runCLI(t, nil, "validate", "--exclude", glob, folder)
			if r.code != 0 || strings.Contains(r.stderr, "warning: --exclude") {
				t.Errorf("validate --exclude %s %s: exit %d\n%s%s", glob, folder, r.code, r.stdout, r.stderr)
			}
		}
	}
}

// TestHostilePlanFileNameRefused: a file under a plan folder whose name carries a line break
// and a workflow command, or an escape sequence, would start a raw line of validate's
// output ("a\n::error::...:1:1: ...") that a CI runner executes. It is refused (exit 2),
// named escaped, on every folder command, and --exclude leaves it out.
func TestHostilePlanFileNameRefused(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "plan.yaml"), []byte(smallPlan), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a\n::error::pwned.yaml", "::warning::x.yaml", "c\x1b[31m.yaml"} {
		bad := filepath.Join(dir, name)
		if err := os.WriteFile(bad, []byte("steps: []\n"), 0o644); err != nil {
			t.Skipf("this file system refuses the name: %v", err)
		}
		t.Chdir(dir) // "." makes the name start its lines
		for _, cmd := range [][]string{{"validate"}, {"validate", "--format", "github"}, {"run", "--dry-run"}} {
			r := runCLI(t, nil, append(cmd, ".")...)
			out := r.stdout + r.stderr
			if r.code != exitUsage || strings.Contains(out, "\n::") || strings.HasPrefix(out, "::") || strings.Contains(out, "\x1b") {
				t.Errorf("%v with %q: exit %d, want 2 and nothing raw\n%s", cmd, name, r.code, out)
			}
		}
		if r := runCLI(t, nil, "validate", "--exclude", "*::*", "--exclude", "c?*", "."); r.code != 0 {
			t.Errorf("--exclude of %q: exit %d\n%s%s", name, r.code, r.stdout, r.stderr)
		}
		os.Remove(bad)
	}
}
