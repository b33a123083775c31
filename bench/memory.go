package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// memStep is one command of the memory area, run as a child process.
type memStep struct {
	key, label string
	args       func(endpoint, state, plan string) []string
	every      bool // also run at the largest size (else only at the smaller ones)
}

// benchMemory measures the peak RSS of the planrun process (the emulator is a process of
// its own, not counted) for every command that walks a whole plan, at each size of
// b.memoryN, and what the state file costs per request. At each size, against a fresh
// emulator whose jobs finish at once:
//
//   - run: a fresh plan, a fresh state;
//   - run --wait --report --junit: the same plan and state again: nothing to send, every
//     job followed from the state's "Submitted" until it is seen finished, both reports
//     written with every request;
//   - fresh-machine rerun: the state deleted, run again: the sweep finds every job;
//   - status (text, to the null device), cancel (every job already finished).
func benchMemory(ctx context.Context, b *bench, t *table) error {
	const area = "9 memory"
	run := func(extra ...string) func(endpoint, state, plan string) []string {
		return func(endpoint, state, plan string) []string {
			args := []string{"run", "--endpoint", endpoint, "--state", state, "--quiet", "--max-requests", "0",
				"--parallel", "32", "--qps", "0"}
			for _, x := range extra {
				args = append(args, strings.ReplaceAll(x, "STATE", state))
			}
			return append(args, plan)
		}
	}
	steps := []memStep{
		{"run", "`run`", run(), true},
		{"wait", "`run --wait --report --junit` again (all done in the state: every job followed, both reports)",
			run("--wait", "--poll-interval", "1s", "--report", "STATE.report.json", "--junit", "STATE.junit.xml"), true},
		{"fresh", "fresh-machine rerun (state deleted: the sweep reconciles every job)", run(), true},
		{"status", "`status` (text > /dev/null)", func(_, state, _ string) []string {
			return []string{"status", "--state", state}
		}, true},
		{"cancel", "`cancel` (every job finished)", func(endpoint, state, plan string) []string {
			return []string{"cancel", "--endpoint", endpoint, "--state", state, "--format", "json", plan}
		}, true},
	}
	peaks := map[string][]int64{}
	sizes := b.memoryN
	for si, n := range sizes {
		last := si == len(sizes)-1
		emu, err := startEmulator(ctx, b.bin, "--submitted-for", "0s", "--running-for", "0s")
		if err != nil {
			return err
		}
		tag := "mem" + strconv.Itoa(n)
		p, err := writeWindowPlan(b.dir, tag, bucketFor(tag), n)
		if err != nil {
			emu.stop()
			return err
		}
		st := filepath.Join(b.dir, "state-"+tag+".db")
		for _, s := range steps {
			if last && len(sizes) > 1 && !s.every {
				peaks[s.key] = append(peaks[s.key], 0)
				continue
			}
			if s.key == "fresh" {
				for _, f := range []string{st, st + "-wal", st + "-shm"} {
					os.Remove(f)
				}
			}
			args := s.args(emu.URL, st, p)
			start := time.Now()
			res, err := runProc(ctx, b.dir, nil, true, b.bin, args...)
			if err != nil {
				emu.stop()
				return fmt.Errorf("%s at %s: %w", s.key, thousands(n), err)
			}
			fmt.Fprintf(os.Stderr, "bench: memory %s %s: %s in %s\n", s.key, thousands(n), mib(res.MaxRSS), time.Since(start).Round(time.Second))
			peaks[s.key] = append(peaks[s.key], res.MaxRSS)
			t.add(area, fmt.Sprintf("%s, %s requests: peak RSS of planrun (wall %s)", s.label, thousands(n), res.Wall.Round(100*time.Millisecond)),
				mib(res.MaxRSS), "<= 128 MiB", check(res.MaxRSS <= 128<<20))
			if s.key == "run" {
				if fi, err := os.Stat(st); err == nil {
					t.add(area, fmt.Sprintf("state file after `run`, %s requests: bytes per request (%s in all)", thousands(n), mib(fi.Size())),
						fmt.Sprintf("%.0f B", float64(fi.Size())/float64(n)), fmt.Sprintf("<= %d B", stateSizeTarget),
						check(float64(fi.Size())/float64(n) <= stateSizeTarget))
				}
			}
		}
		emu.stop()
		for _, f := range []string{st, st + "-wal", st + "-shm", st + ".report.json", st + ".junit.xml"} {
			os.Remove(f)
		}
	}
	if len(sizes) < 2 {
		return nil
	}
	big, small := len(sizes)-1, 0
	for _, s := range steps {
		v := peaks[s.key]
		if len(v) != len(sizes) || v[big] == 0 || v[small] == 0 {
			continue
		}
		ratio := float64(v[big]) / float64(v[small])
		t.add(area, fmt.Sprintf("%s: peak RSS at %s / at %s requests", s.label, thousands(sizes[big]), thousands(sizes[small])),
			fmt.Sprintf("%.2f", ratio), "<= 1.5", check(ratio <= 1.5))
	}
	return nil
}
