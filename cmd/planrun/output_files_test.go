package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/output"
)

// TestOutputsThatWouldHarmAreRefused: an output in a missing folder (never created), or
// one that is the emulator file beside the state, is refused with exit 2 before anything
// runs; the emulator file is left as it was.
func TestOutputsThatWouldHarmAreRefused(t *testing.T) {
	path := testenv.WritePlan(t, smallPlan)
	dir := t.TempDir()
	st := filepath.Join(dir, "s.db")
	emu := filepath.Join(dir, "s.emulator.json")
	vars := map[string]string{envEmulatorFailRate: "0"}
	if r := runCLI(t, vars, "run", "--emulator", "--state", st, "--quiet", path); r.code != 0 {
		t.Fatalf("first run: %d\n%s", r.code, r.stderr)
	}
	before, err := os.ReadFile(emu)
	if err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "nope", "r.jsonl")
	for _, c := range [][]string{
		{"--results", missing, "--wait"},
		{"--report", missing},
		{"--results", emu, "--wait"},
		{"--report", emu},
	} {
		args := append([]string{"run", "--emulator", "--state", st, "--quiet"}, c...)
		r := runCLI(t, vars, append(args, path)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, c[0]) {
			t.Errorf("%v: exit %d, want 2 naming the flag\n%s", c, r.code, r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "nope")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the missing folder was created: %v", err)
	}
	if after, _ := os.ReadFile(emu); string(after) != string(before) {
		t.Error("the emulator file changed")
	}
}

// TestHostileEmulatorFileRefused: an emulator file that is /dev/zero (behind a link) or a
// FIFO is refused at once with exit 2, instead of being read without end or hanging.
func TestHostileEmulatorFileRefused(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	path := testenv.WritePlan(t, smallPlan)
	st := filepath.Join(t.TempDir(), "s.db")
	if err := os.Symlink("/dev/zero", emulator.StateFileFor(st)); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, nil, "results", "--emulator", "--state", st, path)
	if r.code != exitUsage || !strings.Contains(r.stderr, "not a regular file") {
		t.Errorf("exit %d, want 2 saying why\n%s", r.code, r.stderr)
	}
}

// TestEmulatorFileRuleAgrees: report protects the file that the emulator keeps.
func TestEmulatorFileRuleAgrees(t *testing.T) {
	for _, p := range []string{".planrun/state.db", ".planrun/emulator.db", "x/s", "s.v2.db", "/abs/dir.d/state"} {
		if a, b := output.EmulatorFileFor(p), emulator.StateFileFor(p); a != b {
			t.Errorf("%s: report protects %s, the emulator keeps %s", p, a, b)
		}
	}
}

// TestResultsThroughLinkAndToDevNull: --results through a symbolic link fills the file it
// leads to and keeps the link; --report /dev/null leaves /dev/null a device.
func TestResultsThroughLinkAndToDevNull(t *testing.T) {
	t.Parallel() // the in-process emulator's jobs take 3 s of the wall clock to end
	path := testenv.WritePlan(t, smallPlan)
	dir := t.TempDir()
	target := filepath.Join(t.TempDir(), "results.jsonl")
	link := filepath.Join(dir, "r.jsonl")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{envEmulatorFailRate: "0"}
	r := runCLI(t, vars, "run", "--emulator", "--state", filepath.Join(dir, "s.db"), "--quiet", "--wait",
		"--poll-interval", "200ms", "--results", link, "--report", os.DevNull, path)
	if r.code != 0 {
		t.Fatalf("run: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v", err)
	}
	if data, err := os.ReadFile(target); err != nil || !strings.Contains(string(data), `"object"`) {
		t.Errorf("the linked file holds no results: %v\n%.200s", err, data)
	}
	if fi, err := os.Lstat(os.DevNull); err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
		t.Errorf("%s is no longer a device: %v", os.DevNull, err)
	}
}

// TestGarbageEmulatorFileIsUsage: an emulator file whose content is not the emulator's is a
// usage error (exit 2), like one that is not a regular file, not a failure to "start
// emulator" (exit 1): the user has to move it, as with a foreign state file.
func TestGarbageEmulatorFileIsUsage(t *testing.T) {
	path := testenv.WritePlan(t, smallPlan)
	st := filepath.Join(t.TempDir(), "s.db")
	if err := os.WriteFile(emulator.StateFileFor(st), []byte("\x00garbage\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"run", "results", "cancel", "retry"} {
		r := runCLI(t, nil, cmd, "--emulator", "--state", st, path)
		if r.code != exitUsage || !strings.Contains(r.stderr, "no emulator header") || strings.Contains(r.stderr, "start emulator") {
			t.Errorf("%s: exit %d, want 2 saying why\n%s", cmd, r.code, r.stderr)
		}
	}
}
