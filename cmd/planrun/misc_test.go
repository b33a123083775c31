package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/planrun/planrun/internal/testenv"
)

func TestCompletionScripts(t *testing.T) {
	for _, sh := range []string{"bash", "zsh", "fish"} {
		r := runCLI(t, nil, "completion", sh)
		if r.code != 0 || !strings.Contains(r.stdout, "validate") || !strings.Contains(r.stdout, "dry-run") {
			t.Fatalf("completion %s: code %d\n%s", sh, r.code, r.stdout)
		}
		shell, err := exec.LookPath(sh)
		if err != nil {
			t.Logf("%s not installed: syntax not checked", sh)
			continue
		}
		script := filepath.Join(t.TempDir(), "c."+sh)
		if err := os.WriteFile(script, []byte(r.stdout), 0o644); err != nil {
			t.Fatal(err)
		}
		// -n: parse without running.
		if out, err := exec.Command(shell, "-n", script).CombinedOutput(); err != nil {
			t.Errorf("%s completion does not parse: %v\n%s", sh, err, out)
		}
	}
	if r := runCLI(t, nil, "completion", "tcsh"); r.code != 2 {
		t.Errorf("unknown shell: code %d, want 2", r.code)
	}
}

func TestVersionAndSchema(t *testing.T) {
	r := runCLI(t, nil, "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "planrun ") {
		t.Errorf("version: %d %q", r.code, r.stdout)
	}
	r = runCLI(t, nil, "schema")
	if r.code != 0 || !strings.Contains(r.stdout, `"$id"`) || !strings.Contains(r.stdout, `"$schema"`) {
		t.Errorf("schema: %d\n%.200s", r.code, r.stdout)
	}
}

func TestColourOnlyOnATerminalWithoutNoColor(t *testing.T) {
	e := &env{isTerminal: true, getenv: func(string) string { return "" }}
	if !e.io().Color() {
		t.Error("no colour on a terminal")
	}
	e.getenv = func(k string) string {
		if k == "NO_COLOR" {
			return "1"
		}
		return ""
	}
	if e.io().Color() {
		t.Error("colour despite NO_COLOR")
	}
	if (&env{getenv: func(string) string { return "" }}).io().Color() {
		t.Error("colour when not a terminal")
	}
}

func TestLogFormats(t *testing.T) {
	path := testenv.WritePlan(t, smallPlan)
	vars := map[string]string{"PLANRUN_LOG": "debug"}
	r := runCLI(t, vars, "run", "--emulator", "--log-format", "json", "--quiet", "--state", filepath.Join(t.TempDir(), "s.db"), path)
	if r.code != 0 {
		t.Fatalf("code %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, `"level":"DEBUG"`) {
		t.Errorf("no JSON debug log on stderr:\n%s", r.stderr)
	}
	if r := runCLI(t, nil, "run", "--log-format", "xml", path); r.code != 2 {
		t.Errorf("bad --log-format: code %d, want 2", r.code)
	}
}

// planrun version names the module version and the commit when the build recorded them,
// and says what it knows when it did not.
func TestVersionNamesTheCommit(t *testing.T) {
	bi := &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261207210601-db62f82d5b4f"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "db62f82d5b4f78de8fb95542c236cc094f70c32d"}, {Key: "vcs.modified", Value: "true"}}}
	if got, want := describeBuild("", bi), "v0.0.0-20261207210601-db62f82d5b4f (commit db62f82d5b4f, modified)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := describeBuild("v1.2.3", bi), "v1.2.3 (commit db62f82d5b4f, modified)"; got != want {
		t.Errorf("with -ldflags: got %q, want %q", got, want)
	}
	if got := describeBuild("", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}); got != "(devel)" {
		t.Errorf("no VCS: got %q", got)
	}
	if got := describeBuild("", nil); got != "devel" {
		t.Errorf("no build info: got %q", got)
	}
}
