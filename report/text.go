package report

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/executor"
)

// WriteText writes the summary of CONTRACT §4 for people: a headline, an aligned table per
// job (planned, skipped as already done, triggered, failed, and not done when any), a
// total line, the failures (at most 50, then how many more), and with wait the jobs' states
// and each job that ended Failed or Cancel. ANSI colours only when color is true; service
// text is stripped of control characters either way.
func WriteText(w io.Writer, sum *executor.Summary, wait *executor.WaitSummary, meta Meta, color bool) error {
	var b strings.Builder
	b.WriteString(paint(headline(sum, meta), ansiBold, color) + "\n")
	if sum != nil && len(sum.Jobs) > 0 {
		b.WriteByte('\n')
		if err := countsTable(sum).write(&b, "", color); err != nil {
			return err
		}
	}
	if sum != nil && len(sum.Failures) > 0 {
		fmt.Fprintf(&b, "\n%s\n", paint(fmt.Sprintf("Failures (%d):", sum.Total.Failed), ansiRed+ansiBold, color))
		for i, f := range sum.Failures {
			if i == maxListed {
				fmt.Fprintf(&b, "  ... and %d more (see --report)\n", sum.Total.Failed-maxListed)
				break
			}
			fmt.Fprintf(&b, "  %s\n", failureLine(f))
		}
	}
	if wait != nil {
		writeWaitText(&b, wait, color)
	}
	if sum != nil && sum.Total.NotDone() > 0 {
		next := "run the same command again to continue."
		if meta.Stopped != "" {
			next = "the run stopped: " + meta.Stopped + "; fix that, then run the same command again."
		}
		fmt.Fprintf(&b, "\n%s\n", paint(fmt.Sprintf("%s not done: %s",
			plural(sum.Total.NotDone(), "request"), next), ansiYellow, color))
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	return nil
}

// headline is the first line: what ran, how much, how long, and how it ended.
func headline(sum *executor.Summary, meta Meta) string {
	s := "planrun run"
	if meta.DryRun {
		s += " (dry run)"
	}
	parts := []string{plural(len(meta.Plans), "plan")}
	if sum != nil {
		parts = append(parts, plural(sum.Total.Planned, "request"))
	}
	if meta.Shard != "" {
		parts = append(parts, "shard "+meta.Shard)
	}
	if d, ok := meta.Duration(); ok {
		parts = append(parts, "took "+d.Round(time.Millisecond).String())
	}
	s += ": " + strings.Join(parts, ", ")
	if meta.Interrupted {
		s += " (interrupted)"
	}
	return s
}

// countsTable builds the per-job table and its total line.
func countsTable(sum *executor.Summary) *table {
	notDone := sum.Total.NotDone() > 0
	t := &table{left: 2}
	head := []cell{{"PLAN", ""}, {"JOB", ""}, {"PLANNED", ""}, {"SKIPPED", ""}, {"TRIGGERED", ""}, {"FAILED", ""}}
	if notDone {
		head = append(head, cell{"NOT DONE", ""})
	}
	t.add(head...)
	row := func(plan, job string, c executor.Counts, style string) {
		cells := []cell{{clean(plan), style}, {clean(job), style},
			{strconv.Itoa(c.Planned), style},
			{strconv.Itoa(c.Skipped), styleIf(c.Skipped, ansiCyan)},
			{strconv.Itoa(c.Triggered), styleIf(c.Triggered, ansiGreen)},
			{strconv.Itoa(c.Failed), styleIf(c.Failed, ansiRed)}}
		if notDone {
			cells = append(cells, cell{strconv.Itoa(c.NotDone()), styleIf(c.NotDone(), ansiYellow)})
		}
		t.add(cells...)
	}
	for _, j := range sum.Jobs {
		row(j.Plan, j.Job, j.Counts, "")
	}
	row("TOTAL", "", sum.Total, ansiBold)
	return t
}

// writeWaitText writes the jobs' states after --wait and the jobs that did not succeed.
func writeWaitText(b *strings.Builder, wait *executor.WaitSummary, color bool) {
	var states []string
	for _, s := range stateOrder(wait.States) {
		states = append(states, paint(fmt.Sprintf("%s %d", s, wait.States[s]), stateStyle(s), color))
	}
	if len(states) == 0 {
		states = append(states, "no jobs")
	}
	fmt.Fprintf(b, "\nJobs after --wait: %s\n", strings.Join(states, ", "))
	for i, j := range wait.Failed {
		if i == maxListed {
			fmt.Fprintf(b, "  ... and %d more (see --report)\n", len(wait.Failed)-maxListed)
			break
		}
		fmt.Fprintf(b, "  %s\n", paint(jobFailureLine(j), ansiRed, color))
	}
}

// knownStates is the display order of job states.
var knownStates = []string{ciapi.StateSubmitted, ciapi.StateRunning, ciapi.StatePause,
	ciapi.StateSuccess, ciapi.StateFailed, ciapi.StateCancel, executor.StateNotFound}

// stateOrder returns the states of counts with a count, known states first.
func stateOrder(counts map[string]int) []string {
	var out, other []string
	for _, s := range knownStates {
		if counts[s] > 0 {
			out = append(out, s)
		}
	}
	for s, n := range counts {
		if n > 0 && !slices.Contains(knownStates, s) {
			other = append(other, s)
		}
	}
	slices.Sort(other)
	return append(out, other...)
}

// stateStyle colours a job state: green success, red failure, yellow otherwise.
func stateStyle(s string) string {
	switch s {
	case ciapi.StateSuccess:
		return ansiGreen
	case ciapi.StateFailed, ciapi.StateCancel, executor.StateNotFound:
		return ansiRed
	}
	return ansiYellow
}
