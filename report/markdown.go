package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/report/layout"
)

// markdownSink renders GitHub-flavoured Markdown: the pull-request preview of a dry run
// (per job: inputs x operations x windows = requests, and the first and last window) and
// the step summary of a run (WriteStepSummary).
type markdownSink struct {
	unsupported
	w     io.Writer
	known *executor.Known
}

func newMarkdown(w io.Writer, o options) (Sink, error) {
	return &markdownSink{unsupported: unsupported{"markdown"}, w: w, known: o.known}, nil
}

// Checks renders the problems of invalid plans as text: one file:line:col per line.
func (s *markdownSink) Checks(c []PlanCheck) error { return validationText(s.w, c) }

func (s *markdownSink) Preview(plans []*plan.Plan, keep func(*plan.Request) bool) error {
	bw := bufio.NewWriterSize(s.w, 64<<10)
	if err := previewMarkdown(bw, plans, keep, s.known); err != nil {
		return err
	}
	return bw.Flush()
}

// Result renders nothing: the step summary has the counts, not every request.
func (s *markdownSink) Result(executor.Result) error { return nil }

func (s *markdownSink) RunDone(sum *executor.Summary, wait *executor.WaitSummary, meta Meta) error {
	return WriteStepSummary(s.w, sum, wait, meta)
}

func previewMarkdown(w io.Writer, plans []*plan.Plan, keep func(*plan.Request) bool, known *executor.Known) error {
	total, done := 0, 0
	knows := known.Knows()
	fmt.Fprintln(w, "### planrun preview")
	fmt.Fprintln(w)
	for _, p := range plans {
		fmt.Fprintf(w, "**%s** (`%s`, generation %d)\n\n", mdEscape(p.Name), p.Path, p.Generation)
		if knows {
			fmt.Fprintln(w, "| job | bucket | inputs | operation | windows | requests | to create | already done | first window to create | last window to create |")
			fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|")
		} else {
			fmt.Fprintln(w, "| job | bucket | inputs | operation | windows | requests | first window | last window |")
			fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|")
		}
		type jobStats struct {
			first, last *plan.Request
			n, skip     int
		}
		stats := make(map[string]*jobStats, len(p.Jobs))
		for r := range p.Requests() {
			if !keeps(keep, &r) {
				continue
			}
			st := stats[r.Job]
			if st == nil {
				st = &jobStats{}
				stats[r.Job] = st
			}
			action, _, err := known.Action(&r)
			if err != nil {
				return err
			}
			if action == executor.ActionSkip {
				st.skip++
				continue
			}
			if st.first == nil {
				f := r
				st.first = &f
			}
			l := r
			st.last = &l
			st.n++
		}
		for i := range p.Jobs {
			j := &p.Jobs[i]
			st := stats[j.Name]
			if st == nil {
				if keep != nil {
					continue // not selected
				}
				st = &jobStats{}
			}
			total += st.n
			done += st.skip
			if knows {
				fmt.Fprintf(w, "| %s | %s (%s) | %s | %s | %s | %d | %d | %d | %s | %s |\n", mdEscape(j.Name), j.Bucket, j.Region,
					inputsText(j), mdEscape(operationText(j)), windowsText(j), st.n+st.skip, st.n, st.skip, requestWindow(st.first), requestWindow(st.last))
			} else {
				fmt.Fprintf(w, "| %s | %s (%s) | %s | %s | %s | %d | %s | %s |\n", mdEscape(j.Name), j.Bucket, j.Region,
					inputsText(j), mdEscape(operationText(j)), windowsText(j), st.n, requestWindow(st.first), requestWindow(st.last))
			}
		}
		fmt.Fprintln(w)
	}
	if stale := known.Stale(); len(stale) > 0 {
		fmt.Fprintf(w, "**No longer in the plan: %s.** A run leaves them alone: the edit adds work, it does not replace it.\n\n", plural(len(stale), "batch job"))
		fmt.Fprintln(w, "| plan | job | name | job id | state | from |")
		fmt.Fprintln(w, "|---|---|---|---|---|---|")
		for i, s := range stale {
			if i == maxListed {
				fmt.Fprintf(w, "\n… and %d more\n", len(stale)-maxListed)
				break
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", md(s.Plan), md(dash(s.Job)), md(s.Name), md(dash(s.JobID)), md(dash(s.State)), s.Source)
		}
		fmt.Fprintln(w)
	}
	if knows {
		fmt.Fprintf(w, "**Total: %s to create, %d already done.**\n", plural(total, "request"), done)
	} else {
		fmt.Fprintf(w, "**Total: %s.**\n", plural(total, "request"))
	}
	return nil
}

// inputsText renders a job's inputs for a Markdown cell, values as code spans.
func inputsText(j *plan.Job) string {
	switch {
	case j.Manifest != "":
		return "manifest " + mdCode(j.Manifest)
	case j.URLFile != "":
		return "url file " + mdCode(j.URLFile)
	case j.Object != "":
		return "object " + mdCode(j.Object)
	}
	q := make([]string, len(j.Prefixes))
	for i, p := range j.Prefixes {
		q[i] = mdCode(p)
	}
	return "prefix " + strings.Join(q, ", ")
}

func windowsText(j *plan.Job) string {
	if j.Window == nil {
		return "-"
	}
	w := plural(j.WindowCount(), "window")
	if j.Window.Every != nil {
		w += " of " + j.Window.Every.Text
	}
	return w
}

// mdCode renders s as inline Markdown code (see layout.MDCode).
func mdCode(s string) string { return layout.MDCode(s) }

func requestWindow(r *plan.Request) string {
	if r == nil || r.Start.IsZero() {
		return "-"
	}
	return r.StartText() + " → " + r.EndText()
}

func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "*", `\*`, "_", `\_`).Replace(s)
}
