package main

import (
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/planrun/planrun/executor"
)

// progressPrinter shows a run's progress on stderr: a live line redrawn in place on a
// terminal, a plain line every few seconds otherwise (CI logs), nothing with --quiet.
type progressPrinter struct {
	w        io.Writer
	terminal bool
	every    time.Duration

	mu       sync.Mutex
	last     time.Time
	drew     bool
	lastWait string
}

func newProgress(w io.Writer, terminal, quiet bool) *progressPrinter {
	if quiet {
		return nil
	}
	p := &progressPrinter{w: w, terminal: terminal, every: 5 * time.Second}
	if terminal {
		p.every = 200 * time.Millisecond
	}
	return p
}

// update is the executor's Progress callback.
func (p *progressPrinter) update(pr executor.Progress) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	final := pr.Done == pr.Planned && pr.InFlight == 0
	if !final && time.Since(p.last) < p.every {
		return
	}
	p.last = time.Now()
	line := progressLine(pr)
	if p.terminal {
		fmt.Fprintf(p.w, "\r\033[K%s", line)
		p.drew = true
		return
	}
	fmt.Fprintln(p.w, line)
}

// done ends the live line so that what follows starts on a fresh line.
func (p *progressPrinter) done() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drew {
		fmt.Fprintln(p.w)
		p.drew = false
	}
}

func progressLine(pr executor.Progress) string {
	var b strings.Builder
	pct := 100.0
	if pr.Planned > 0 {
		pct = 100 * float64(pr.Done) / float64(pr.Planned)
	}
	fmt.Fprintf(&b, "%d/%d (%.0f%%) done: %d triggered, %d skipped, %d failed", pr.Done, pr.Planned, pct,
		pr.Triggered, pr.Skipped, pr.Failed)
	if pr.InFlight > 0 {
		fmt.Fprintf(&b, ", %d in flight", pr.InFlight)
	}
	if pr.Rate > 0 {
		fmt.Fprintf(&b, ", %.1f/s", pr.Rate)
	}
	if pr.QPS > 0 {
		fmt.Fprintf(&b, " (pace %.1f/s)", pr.QPS)
	}
	if pr.ETA > 0 {
		fmt.Fprintf(&b, ", ETA %s", pr.ETA.Round(time.Second))
	}
	fmt.Fprintf(&b, ", elapsed %s", pr.Elapsed.Round(time.Second))
	if pr.Settling > 0 {
		fmt.Fprintf(&b, " (waiting %s for creates of an earlier run to settle)", pr.Settling.Round(time.Second))
	}
	return b.String()
}

// newLogger makes the slog logger of a command: stderr, text or JSON (--log-format), level from
// PLANRUN_LOG (debug, info, warn, error; default warn).
func newLogger(e *env, format string) (*slog.Logger, error) {
	level := slog.LevelWarn
	switch v := strings.ToLower(e.getenv("PLANRUN_LOG")); v {
	case "", "warn", "warning":
	default:
		return nil, usagef("unknown PLANRUN_LOG=%q (want debug, info, warn or error)", v)
	case "debug":
		level = slog.LevelDebug
	case "info":
		level = slog.LevelInfo
	case "error":
		level = slog.LevelError
	}
	opts := &slog.HandlerOptions{Level: level}
	switch format {
	case "text", "":
		return slog.New(slog.NewTextHandler(e.stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(e.stderr, opts)), nil
	}
	return nil, usagef("unknown --log-format %q (want text or json)", format)
}

// waitRound is the executor's OnWaitRound callback: one line per polling round that
// changed something, and the last one.
func (p *progressPrinter) waitRound(ws *executor.WaitSummary) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	line := waitLine(ws)
	if line == p.lastWait && ws.Unfinished > 0 {
		return
	}
	p.lastWait = line
	if p.terminal {
		fmt.Fprintf(p.w, "\r\033[K%s", line)
		p.drew = true
		if ws.Unfinished == 0 {
			fmt.Fprintln(p.w)
			p.drew = false
		}
		return
	}
	fmt.Fprintln(p.w, line)
}

func waitLine(ws *executor.WaitSummary) string {
	total := 0
	for _, n := range ws.States {
		total += n
	}
	states := make([]string, 0, len(ws.States))
	for s := range ws.States {
		states = append(states, s)
	}
	sort.Strings(states)
	var b strings.Builder
	fmt.Fprintf(&b, "waiting: %d/%d jobs finished", total-ws.Unfinished, total)
	for _, s := range states {
		fmt.Fprintf(&b, ", %d %s", ws.States[s], s)
	}
	return b.String()
}
