package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/report/layout"
)

// WriteStepSummary writes Markdown for $GITHUB_STEP_SUMMARY: a heading with the run's
// scope, a table of the counts per job with a total row, the failures (first 50), and with
// wait the jobs' states and the jobs that did not succeed.
func WriteStepSummary(w io.Writer, sum *executor.Summary, wait *executor.WaitSummary, meta Meta) error {
	var b strings.Builder
	b.WriteString("## planrun run")
	if meta.DryRun {
		b.WriteString(" (dry run)")
	}
	if meta.Interrupted {
		b.WriteString(" — interrupted")
	}
	b.WriteString("\n\n")
	var names, line []string
	for _, p := range meta.Plans {
		names = append(names, "`"+strings.ReplaceAll(clean(p.Name), "`", "")+"`")
	}
	if len(names) > 0 {
		line = append(line, "Plans: "+strings.Join(names, ", "))
	}
	if meta.Shard != "" {
		line = append(line, "shard "+md(meta.Shard))
	}
	if d, ok := meta.Duration(); ok {
		line = append(line, "took "+d.Round(time.Millisecond).String())
	}
	if len(line) > 0 {
		b.WriteString(strings.Join(line, " · ") + "\n\n")
	}
	if sum != nil {
		writeCountsMD(&b, sum)
		writeFailuresMD(&b, sum)
	}
	if wait != nil {
		writeWaitMD(&b, wait)
	}
	if steps := nextSteps(sum, wait, meta); len(steps) > 0 {
		b.WriteString("### Next\n\n")
		for _, st := range steps {
			b.WriteString("- " + md(st.text))
			if st.command != "" {
				b.WriteString(" `" + strings.ReplaceAll(clean(st.command), "`", "'") + "`")
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write step summary: %w", err)
	}
	return nil
}

func writeCountsMD(b *strings.Builder, sum *executor.Summary) {
	b.WriteString("| Plan | Job | Requests | Skipped | Triggered | Failed | Not done |\n")
	b.WriteString("|---|---|--:|--:|--:|--:|--:|\n")
	for _, j := range sum.Jobs {
		c := j.Counts
		fmt.Fprintf(b, "| %s | %s | %d | %d | %d | %d | %d |\n", md(j.Plan), md(j.Job),
			c.Planned, c.Skipped, c.Triggered, c.Failed, c.NotDone())
	}
	t := sum.Total
	fmt.Fprintf(b, "| **Total** | | **%d** | **%d** | **%d** | **%d** | **%d** |\n\n",
		t.Planned, t.Skipped, t.Triggered, t.Failed, t.NotDone())
}

// writeFailuresMD lists the failures grouped by code, each with its count and one example.
func writeFailuresMD(b *strings.Builder, sum *executor.Summary) {
	groups := codeGroups(sum)
	if len(groups) == 0 {
		return
	}
	fmt.Fprintf(b, "### Failures (%d), by code\n\n", sum.Total.Failed)
	b.WriteString("| Code | Requests | Example: plan / job | Request | Message | RequestId | Attempts |\n")
	b.WriteString("|---|--:|---|---|---|---|--:|\n")
	for i, g := range groups {
		if i == maxListed {
			fmt.Fprintf(b, "\n… and %d more codes (see `--report`)\n", len(groups)-maxListed)
			break
		}
		f := g.Example
		_, msg := failureText(f)
		fmt.Fprintf(b, "| %s | %d | %s / %s | %s | %s | %s | %d |\n", md(codeName(g.Code)), g.Count, md(f.Plan), md(f.Job),
			md(f.Name), md(msg), md(f.RequestID), f.Attempts)
	}
	b.WriteString("\n")
}

func writeWaitMD(b *strings.Builder, wait *executor.WaitSummary) {
	b.WriteString("### Jobs after `--wait`\n\n| State | Jobs |\n|---|--:|\n")
	for _, s := range stateOrder(wait.States) {
		fmt.Fprintf(b, "| %s | %d |\n", md(s), wait.States[s])
	}
	b.WriteString("\n")
	if len(wait.Failed) == 0 {
		return
	}
	b.WriteString("| Plan / Job | Request | Job id | State | Code | Message |\n|---|---|---|---|---|---|\n")
	for i, j := range wait.Failed {
		if i == maxListed {
			fmt.Fprintf(b, "\n… and %d more (see `--report`)\n", len(wait.Failed)-maxListed)
			break
		}
		fmt.Fprintf(b, "| %s / %s | %s | %s | %s | %s | %s |\n", md(j.Plan), md(j.Job), md(j.Name),
			md(j.JobID), md(j.State), md(j.Code), md(j.Message))
	}
	b.WriteString("\n")
}

// md renders service or plan text as one line of literal Markdown (see layout.MD).
func md(s string) string { return layout.MD(s) }
