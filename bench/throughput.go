package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/planrun/planrun/plan"
)

// measure is one timed batch of n creates against the emulator.
type measure struct {
	n          int
	rate       float64       // creates / wall time (for planrun: of the whole process)
	serverRate float64       // creates per second between the first and last create at the server
	clientCPU  time.Duration // CPU time of the client (planrun process, or the bench's loop)
	emuCPU     time.Duration // CPU time of the emulator process meanwhile
}

// String renders the rate and the CPU cost per request on each side.
func (m measure) String() string {
	s := perSec(m.rate)
	if m.serverRate > 0 {
		s += fmt.Sprintf(" (server saw %s)", perSec(m.serverRate))
	}
	if m.clientCPU > 0 {
		s += "; CPU/request: client " + perReq(m.clientCPU, m.n)
		if m.emuCPU > 0 {
			s += ", emulator " + perReq(m.emuCPU, m.n)
		}
	}
	return s
}

// perCreate is the client's CPU time per create of m.
func (m measure) perCreate() time.Duration { return m.clientCPU / time.Duration(max(m.n, 1)) }

// leastCPU returns the smaller client CPU per create of cur and m (cur 0: none yet). CPU
// time is what a busy machine inflates least, and the least of two runs is the one that
// met the least interference.
func leastCPU(cur time.Duration, m measure) time.Duration {
	if c := m.perCreate(); cur == 0 || c < cur {
		return c
	}
	return cur
}

// micros is d in microseconds.
func micros(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }

// better keeps the faster of two measures.
func better(a, b measure) measure {
	if b.rate > a.rate {
		return b
	}
	return a
}

// runPlanrun runs `planrun run` of a fresh n-request plan in its own bucket, with a fresh
// state file in stateDir, against emu; extra flags are appended.
func runPlanrun(ctx context.Context, b *bench, emu *emuProc, tag, stateDir string, n int, extra ...string) (measure, error) {
	p, err := writeWindowPlan(b.dir, "run-"+tag, bucketFor(tag), n)
	if err != nil {
		return measure{}, err
	}
	state := filepath.Join(stateDir, "state-"+tag+".db")
	before, err := emu.stats(ctx)
	if err != nil {
		return measure{}, err
	}
	emuCPU := emu.cpu()
	args := append([]string{"run", "--endpoint", emu.URL, "--state", state, "--quiet", "--max-requests", "0"}, extra...)
	res, err := runProc(ctx, b.dir, nil, true, b.bin, append(args, p)...)
	if err != nil {
		return measure{}, err
	}
	emuCPU = emu.cpu() - emuCPU
	after, err := emu.stats(ctx)
	if err != nil {
		return measure{}, err
	}
	starts := after.CreateStarts[len(before.CreateStarts):]
	if len(starts) != n {
		return measure{}, fmt.Errorf("run %s: the emulator saw %d creates, want %d", tag, len(starts), n)
	}
	return measure{n: n, rate: float64(n) / res.Wall.Seconds(), serverRate: spanRate(starts),
		clientCPU: res.CPU, emuCPU: emuCPU}, nil
}

// runBaseline runs the minimal client over the bodies of a fresh n-request plan in its own
// bucket.
func runBaseline(ctx context.Context, b *bench, emu *emuProc, tag string, n, parallel int) (measure, error) {
	path, err := writeWindowPlan(b.dir, "base-"+tag, bucketFor(tag), n)
	if err != nil {
		return measure{}, err
	}
	p, err := plan.Load(path)
	if err != nil {
		return measure{}, fmt.Errorf("load %s: %w", path, err)
	}
	body, err := bodies(p)
	if err != nil {
		return measure{}, err
	}
	cpu, emuCPU := selfCPU(), emu.cpu()
	d, err := baseline(ctx, emu.Addr, bucketFor(tag), body, parallel)
	if err != nil {
		return measure{}, err
	}
	return measure{n: n, rate: float64(n) / d.Seconds(), clientCPU: selfCPU() - cpu, emuCPU: emu.cpu() - emuCPU}, nil
}

// benchThroughput compares `planrun run --parallel 32 --qps 0` with the minimal client,
// both against one emulator process without latency, and the state file on disk with one
// on tmpfs. The three alternate twice and the best of each is kept (the machine is shared).
func benchThroughput(ctx context.Context, b *bench, t *table) error {
	const area = "3 throughput"
	emu, err := startEmulator(ctx, b.bin)
	if err != nil {
		return err
	}
	defer emu.stop()
	n, par := b.throughputN, 32
	flags := []string{"--parallel", strconv.Itoa(par), "--qps", "0"}
	shm := ""
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		if shm, err = os.MkdirTemp("/dev/shm", "planrun-bench-"); err != nil {
			return fmt.Errorf("tmpfs state: %w", err)
		}
		defer os.RemoveAll(shm)
	}
	var base, disk, tmpfs measure
	var baseCPU, diskCPU time.Duration // least client CPU per create of each
	for i := range 2 {
		m, err := runBaseline(ctx, b, emu, fmt.Sprintf("base%d", i), n, par)
		if err != nil {
			return err
		}
		base, baseCPU = better(base, m), leastCPU(baseCPU, m)
		if m, err = runPlanrun(ctx, b, emu, fmt.Sprintf("disk%d", i), b.dir, n, flags...); err != nil {
			return err
		}
		disk, diskCPU = better(disk, m), leastCPU(diskCPU, m)
		if shm != "" {
			if m, err = runPlanrun(ctx, b, emu, fmt.Sprintf("tmpfs%d", i), shm, n, flags...); err != nil {
				return err
			}
			tmpfs = better(tmpfs, m)
		}
	}
	t.add(area, fmt.Sprintf("baseline: signed bare net/http loop, %d workers, %s creates (best of 2)", par, thousands(n)),
		base.String(), "", nil)
	t.add(area, fmt.Sprintf("`planrun run --parallel %d --qps 0`, state on disk (best of 2; process wall time)", par),
		disk.String(), "", nil)
	t.add(area, "planrun / baseline", pct(disk.rate/base.rate), ">= 80%", check(disk.rate >= 0.8*base.rate))
	if baseCPU > 0 {
		r := float64(diskCPU) / float64(baseCPU)
		t.add(area, "client CPU per create: planrun / bare (the least of 2 runs each)",
			fmt.Sprintf("%.2f (%.0f µs / %.0f µs)", r, micros(diskCPU), micros(baseCPU)), "<= 1.25", check(r <= 1.25))
	}
	if shm != "" {
		t.add(area, "the same, state on tmpfs (/dev/shm; best of 2)", tmpfs.String(), "", nil)
		t.add(area, "state on disk / state on tmpfs", pct(disk.rate/tmpfs.rate), ">= 90%", check(disk.rate >= 0.9*tmpfs.rate))
	}
	return benchInProcess(ctx, b, emu, t)
}
