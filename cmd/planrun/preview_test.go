package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
)

// actions maps each request Name of a dry run's JSON Lines to its action; stale lines
// are returned apart.
func actions(t *testing.T, out string) (byName map[string]string, stale []string, rows []map[string]any) {
	t.Helper()
	byName = map[string]string{}
	rows = dryLines(t, out)
	for _, row := range rows {
		name, _ := row["name"].(string)
		action, _ := row["action"].(string)
		if action == "stale" {
			stale = append(stale, name)
			continue
		}
		byName[name] = action
	}
	return byName, stale, rows
}

// After a partial run and an added job, the dry run with the state marks exactly the new
// requests create and the rest skip; --refresh on a machine without the state says the
// same, sending nothing but lists and creating no state file; --detailed-exitcode says
// whether anything would be sent.
func TestDryRunKnowsWhatIsDone(t *testing.T) {
	emu, _ := testenv.Start(t, emulator.Options{})
	dir := t.TempDir()
	path := filepath.Join(dir, "plan.yaml")
	if err := os.WriteFile(path, []byte(smallPlan), 0o644); err != nil {
		t.Fatal(err)
	}
	st := filepath.Join(dir, "state.db")
	run := func(args ...string) result {
		return runCLI(t, emulatorVars(), append([]string{"run", "--endpoint", emu.URL, "--qps", "0", "--quiet"}, args...)...)
	}
	if r := run("--state", st, "--job", "days", "--until", "2024-01-10", path); r.code != 0 {
		t.Fatalf("partial run: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	done := map[string]bool{}
	for _, j := range emu.Server.Jobs() {
		done[j.Name] = true
	}
	if len(done) != 20 {
		t.Fatalf("partial run created %d jobs, want 20", len(done))
	}
	added := smallPlan + "  - name: added\n    object: x/z.mp4\n"
	if err := os.WriteFile(path, []byte(added), 0o644); err != nil {
		t.Fatal(err)
	}
	all := planNames(t, path)

	check := func(what string, r result) map[string]string {
		t.Helper()
		if r.code != 3 {
			t.Fatalf("%s: code %d, want 3 (something to send)\n%s", what, r.code, r.stderr)
		}
		got, stale, rows := actions(t, r.stdout)
		if len(got) != len(all) || len(stale) != 0 {
			t.Fatalf("%s: %d requests and %d stale lines, want %d and none", what, len(got), len(stale), len(all))
		}
		for name := range all {
			want := "create"
			if done[name] {
				want = "skip"
			}
			if got[name] != want {
				t.Errorf("%s: %s is %q, want %q", what, name, got[name], want)
			}
		}
		for _, row := range rows {
			if row["action"] == "skip" && (row["job_id"] == nil || row["job_id"] == "" || row["state"] == nil) {
				t.Errorf("%s: a skip without its job id and state: %v", what, row)
			}
			if row["action"] == "create" && row["job_id"] != nil {
				t.Errorf("%s: a create with a job id: %v", what, row)
			}
		}
		return got
	}
	withState := check("with the state", runCLI(t, nil, "run", "--dry-run", "--detailed-exitcode", "--state", st, "--format", "json", path))

	creates := len(emu.Server.Stats().CreateStarts)
	fresh := filepath.Join(t.TempDir(), "fresh", "state.db")
	refreshed := check("--refresh without a state", run("--dry-run", "--refresh", "--detailed-exitcode", "--state", fresh, "--format", "json", path))
	for name, a := range withState {
		if refreshed[name] != a {
			t.Errorf("%s: %q with the state, %q with --refresh", name, a, refreshed[name])
		}
	}
	if n := len(emu.Server.Stats().CreateStarts); n != creates {
		t.Errorf("--refresh sent %d creates", n-creates)
	}
	if _, err := os.Stat(fresh); !os.IsNotExist(err) {
		t.Errorf("the dry run made a state file at %s (err %v)", fresh, err)
	}

	// The text says it per job, and lists only what would be sent.
	r := runCLI(t, nil, "run", "--dry-run", "--state", st, path)
	for _, want := range []string{"10 to create, 20 already done", "1 to create, 0 already done", "total: 12 requests would be sent, 20 already done"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("text preview lacks %q:\n%s", want, r.stdout)
		}
	}
	for name := range done {
		if strings.Contains(r.stdout, name) {
			t.Errorf("text preview lists %s, which is done", name)
		}
	}

	// Everything sent: nothing to send, exit 0.
	if r := run("--state", st, path); r.code != 0 {
		t.Fatalf("full run: code %d\n%s", r.code, r.stderr)
	}
	if r := runCLI(t, nil, "run", "--dry-run", "--detailed-exitcode", "--state", st, path); r.code != 0 {
		t.Errorf("after the full run: code %d, want 0\n%s", r.code, r.stdout)
	}

	// An edited job leaves its old batch job behind: listed as no longer in the plan.
	edited := strings.Replace(added, "x/y.mp4", "x/y2.mp4", 1)
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	var oldOne string
	for _, j := range emu.Server.Jobs() {
		if strings.HasPrefix(j.Name, "small-one-") {
			oldOne = j.Name
		}
	}
	for what, r := range map[string]result{
		"state":     runCLI(t, nil, "run", "--dry-run", "--state", st, "--format", "json", path),
		"--refresh": run("--dry-run", "--refresh", "--state", fresh, "--format", "json", path),
	} {
		got, stale, _ := actions(t, r.stdout)
		if len(stale) != 1 || stale[0] != oldOne {
			t.Errorf("%s: stale %v, want the old job of one %s", what, stale, oldOne)
		}
		if n := strings.Count(strings.Join(values(got), " "), "create"); n != 1 {
			t.Errorf("%s: %d creates, want 1 (the edited job)", what, n)
		}
	}
	r = runCLI(t, nil, "run", "--dry-run", "--state", st, "--wide", path)
	if !strings.Contains(r.stdout, "no longer in the plan: 1 batch job") || !strings.Contains(r.stdout, oldOne) {
		t.Errorf("text preview does not list the old job as no longer in the plan:\n%s", r.stdout)
	}
}

func values(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func TestRefreshAndDetailedExitcodeNeedDryRun(t *testing.T) {
	path := testenv.WritePlan(t, smallPlan)
	for _, flag := range []string{"--refresh", "--detailed-exitcode"} {
		if r := runCLI(t, emulatorVars(), "run", "--emulator", flag, path); r.code != 2 {
			t.Errorf("run %s without --dry-run: code %d, want 2", flag, r.code)
		}
	}
	if r := runCLI(t, nil, "run", "--dry-run", "--refresh", "--state", filepath.Join(t.TempDir(), "s.db"), path); r.code != 2 ||
		!strings.Contains(r.stderr, "TENCENTCLOUD_SECRET_ID") {
		t.Errorf("--refresh without credentials: code %d, want 2 naming them\n%s", r.code, r.stderr)
	}
}
