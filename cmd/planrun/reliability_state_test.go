package main

import (
	"bytes"
	"database/sql"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
)

// relDamage makes a damaged state file at path; good is a real planrun state file of
// another run (closed cleanly) to derive damage from.
type relDamage struct {
	name string
	make func(t *testing.T, path string, good []byte)
}

func relDamages() []relDamage {
	write := func(t *testing.T, path string, b []byte) {
		t.Helper()
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sqlite := func(t *testing.T, path, script string) {
		t.Helper()
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec(script); err != nil {
			t.Fatalf("make %s: %v", path, err)
		}
	}
	return []relDamage{
		{"truncated-mid-page", func(t *testing.T, path string, good []byte) { write(t, path, good[:len(good)/2+100]) }},
		{"truncated-at-page", func(t *testing.T, path string, good []byte) {
			page := int(binary.BigEndian.Uint16(good[16:18]))
			write(t, path, good[:page])
		}},
		{"header-only", func(t *testing.T, path string, good []byte) { write(t, path, good[:100]) }},
		{"garbage", func(t *testing.T, path string, _ []byte) {
			b := make([]byte, 8192)
			rng := rand.New(rand.NewPCG(1, 2))
			for i := range b {
				b[i] = byte(rng.UintN(256))
			}
			write(t, path, b)
		}},
		{"garbage-after-sqlite-magic", func(t *testing.T, path string, good []byte) {
			b := bytes.Clone(good)
			for i := 100; i < len(b); i++ {
				b[i] = byte(i * 7)
			}
			write(t, path, b)
		}},
		{"text", func(t *testing.T, path string, _ []byte) { write(t, path, []byte("state: ok\n")) }},
		{"foreign-sqlite", func(t *testing.T, path string, _ []byte) {
			sqlite(t, path, `CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES ('ana'), ('bo')`)
		}},
		{"foreign-sqlite-with-meta", func(t *testing.T, path string, _ []byte) {
			sqlite(t, path, `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT); INSERT INTO meta VALUES ('format', 'other-tool')`)
		}},
		{"newer-planrun-schema", func(t *testing.T, path string, good []byte) {
			write(t, path, good)
			sqlite(t, path, `UPDATE meta SET value = '99' WHERE key = 'schema_version'; PRAGMA journal_mode=DELETE`)
		}},
	}
}

// TestReliabilityDamagedStateIsRefusedUntouched checks that a state file that is not
// planrun's (truncated, garbage, another program's database, a newer planrun's) makes run,
// status and cancel fail with a clear error and exit 2, without changing a byte of it or
// sending anything; and that once the file is moved aside, a run triggers exactly what
// the service is missing (reconcile by Name), nothing twice.
func TestReliabilityDamagedStateIsRefusedUntouched(t *testing.T) {
	ctx := relCtx(t, 5*time.Minute)
	vars := relEmulatorVars()
	// A genuine state file to derive damage from.
	goodDir := t.TempDir()
	goodEmu, _ := testenv.Start(t, emulator.Options{})
	goodPlan := testenv.Sized("good", 150).Write(t, goodDir)
	goodState := filepath.Join(goodDir, "good.db")
	if r := relRun(ctx, vars, "run", "--endpoint", goodEmu.URL, "--state", goodState, "--quiet", "--qps", "0", goodPlan); r.code != 0 {
		t.Fatalf("good run: exit %d\n%s", r.code, r.stderr)
	}
	good, err := os.ReadFile(goodState)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(goodState + "-wal"); err == nil {
		t.Logf("note: the closed state left a -wal file beside it")
	}

	for _, d := range relDamages() {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel() // each waits a settle window out on its own emulator
			dir := t.TempDir()
			emu, _ := testenv.Start(t, emulator.Options{})
			planPath := testenv.Sized("damaged", 30).Write(t, dir)
			want := relPlanNames(t, planPath)
			// The service already holds half of the plan (a run from elsewhere).
			elsewhere := filepath.Join(dir, "elsewhere.db")
			if r := relRun(ctx, vars, "run", "--endpoint", emu.URL, "--state", elsewhere, "--shard", "1/2", "--quiet", "--qps", "0", planPath); r.code != 0 {
				t.Fatalf("first half: exit %d\n%s", r.code, r.stderr)
			}
			onService := len(emu.Server.Jobs())

			state := filepath.Join(dir, "state", "state.db")
			if err := os.MkdirAll(filepath.Dir(state), 0o755); err != nil {
				t.Fatal(err)
			}
			d.make(t, state, good)
			before, err := os.ReadFile(state)
			if err != nil {
				t.Fatal(err)
			}
			calls := emu.Server.Stats().Calls
			for _, args := range [][]string{
				{"run", "--endpoint", emu.URL, "--state", state, planPath},
				{"run", "--endpoint", emu.URL, "--state", state, "--format", "json", planPath},
				{"status", "--state", state},
				{"status", "--state", state, "--format", "json", planPath},
				{"cancel", "--endpoint", emu.URL, "--state", state, planPath},
			} {
				r := relRun(ctx, vars, args...)
				if r.code != exitUsage {
					t.Errorf("%s: exit %d, want 2\nstdout: %s\nstderr: %s", args[0], r.code, r.stdout, r.stderr)
				}
				remedy := "move it aside"
				if d.name == "newer-planrun-schema" {
					remedy = "schema version 99" // the remedy is a newer planrun
				}
				if !strings.Contains(r.stderr, "not a planrun state file") || !strings.Contains(r.stderr, remedy) ||
					!strings.Contains(r.stderr, state) {
					t.Errorf("%s: unclear error: %q", args[0], r.stderr)
				}
				after, err := os.ReadFile(state)
				if err != nil || !bytes.Equal(before, after) {
					t.Fatalf("%s changed the state file (%v)", args[0], err)
				}
				entries, _ := os.ReadDir(filepath.Dir(state))
				if len(entries) != 1 {
					var names []string
					for _, e := range entries {
						names = append(names, e.Name())
					}
					t.Fatalf("%s left files beside the state: %v", args[0], names)
				}
			}
			if now := emu.Server.Stats().Calls; now[emulator.OpCreate] != calls[emulator.OpCreate] ||
				now[emulator.OpCancel] != calls[emulator.OpCancel] {
				t.Fatalf("API calls after a refused state: %v, before %v", now, calls)
			}

			// Moved aside, the next run rebuilds from the service: it triggers only the
			// missing half. (The half on the service is seconds old: a run with no state
			// first waits the settle window out, kept short here.)
			if err := os.Rename(state, state+".bak"); err != nil {
				t.Fatal(err)
			}
			rep := filepath.Join(dir, "report.json")
			r := relRun(ctx, vars, "run", "--endpoint", emu.URL, "--state", state, "--report", rep, "--quiet", "--qps", "0",
				"--timeout", "1s", "--settle-window", "1s", planPath)
			if r.code != exitOK {
				t.Fatalf("run after moving the state aside: exit %d\n%s", r.code, r.stderr)
			}
			rp := relReadReport(t, rep)
			if rp.Summary.Skipped != onService || rp.Summary.Triggered != len(want)-onService {
				t.Errorf("after moving aside: %+v, the service held %d of %d", rp.Summary, onService, len(want))
			}
			for _, q := range rp.Requests {
				if q.Status == "skipped" && q.Reason != "service" {
					t.Errorf("%s skipped for %q, want service", q.Name, q.Reason)
				}
			}
			relCheckExactlyOnce(t, emu.Server, want)
			if after, _ := os.ReadFile(state + ".bak"); !bytes.Equal(before, after) {
				t.Errorf("the moved file changed")
			}
		})
	}
}

// TestReliabilityStateOfAnotherPlanIsIgnored runs plan B with the state file of plan A:
// A's rows neither make B skip anything nor change; B triggers exactly what the service
// is missing of B.
func TestReliabilityStateOfAnotherPlanIsIgnored(t *testing.T) {
	ctx := relCtx(t, 5*time.Minute)
	vars := relEmulatorVars()
	dir := t.TempDir()
	emu, _ := testenv.Start(t, emulator.Options{})
	planA, planB := testenv.Sized("plan-a", 20).Write(t, dir), testenv.Sized("plan-b", 40).Write(t, dir)
	state := filepath.Join(dir, "state.db")
	if r := relRun(ctx, vars, "run", "--endpoint", emu.URL, "--state", state, "--quiet", "--qps", "0", planA); r.code != 0 {
		t.Fatalf("plan A: exit %d\n%s", r.code, r.stderr)
	}
	statusA := relRun(ctx, vars, "status", "--state", state, "--format", "json", planA)
	// A quarter of B is on the service already, triggered from another machine.
	if r := relRun(ctx, vars, "run", "--endpoint", emu.URL, "--state", filepath.Join(dir, "other.db"),
		"--shard", "1/4", "--quiet", "--qps", "0", planB); r.code != 0 {
		t.Fatalf("plan B elsewhere: exit %d\n%s", r.code, r.stderr)
	}
	have := relJobs(emu.Server)
	namesB := relPlanNames(t, planB)
	missing := 0
	for _, n := range namesB {
		if have[n] == 0 {
			missing++
		}
	}
	// The quarter of B on the service is seconds old: a run with no rows of B first waits
	// the settle window out (4 x --timeout, two minutes by default), kept short here.
	rep := filepath.Join(dir, "b.json")
	r := relRun(ctx, vars, "run", "--endpoint", emu.URL, "--state", state, "--report", rep, "--quiet", "--qps", "0",
		"--timeout", "2s", "--settle-window", "2s", planB)
	if r.code != exitOK {
		t.Fatalf("plan B with A's state: exit %d\n%s", r.code, r.stderr)
	}
	rp := relReadReport(t, rep)
	if rp.Summary.Triggered != missing || rp.Summary.Skipped != len(namesB)-missing || rp.Summary.Planned != len(namesB) {
		t.Errorf("plan B: %+v, want %d triggered of %d", rp.Summary, missing, len(namesB))
	}
	for _, q := range rp.Requests {
		if !slices.Contains(namesB, q.Name) {
			t.Errorf("plan B's report holds %s", q.Name)
		}
	}
	relCheckExactlyOnce(t, emu.Server, append(relPlanNames(t, planA), namesB...))
	if again := relRun(ctx, vars, "status", "--state", state, "--format", "json", planA); again.stdout != statusA.stdout {
		t.Errorf("plan A's rows changed:\n%s\nwant\n%s", again.stdout, statusA.stdout)
	}
	t.Logf("plan B with plan A's state: %d triggered, %d skipped (on the service), plan A untouched", rp.Summary.Triggered, rp.Summary.Skipped)
}
