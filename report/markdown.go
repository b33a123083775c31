package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
)

// markdownSink renders GitHub-flavoured Markdown: the pull-request preview of a dry run
// (per job: inputs x operations x windows = requests, and the first and last window) and
// the step summary of a run (WriteStepSummary).
type markdownSink struct {
	unsupported
	w io.Writer
}

func newMarkdown(w io.Writer, _ options) (Sink, error) {
	return &markdownSink{unsupported: unsupported{"markdown"}, w: w}, nil
}

// Checks renders the problems of invalid plans as text: one file:line:col per line.
func (s *markdownSink) Checks(c []PlanCheck) error { return validationText(s.w, c) }

func (s *markdownSink) Preview(plans []*plan.Plan, keep func(*plan.Request) bool) error {
	bw := bufio.NewWriterSize(s.w, 64<<10)
	previewMarkdown(bw, plans, keep)
	return bw.Flush()
}

// Result renders nothing: the step summary has the counts, not every request.
func (s *markdownSink) Result(executor.Result) error { return nil }

func (s *markdownSink) RunDone(sum *executor.Summary, wait *executor.WaitSummary, meta Meta) error {
	return WriteStepSummary(s.w, sum, wait, meta)
}

func previewMarkdown(w io.Writer, plans []*plan.Plan, keep func(*plan.Request) bool) {
	total := 0
	fmt.Fprintln(w, "### planrun preview")
	fmt.Fprintln(w)
	for _, p := range plans {
		fmt.Fprintf(w, "**%s** (`%s`, generation %d)\n\n", mdEscape(p.Name), p.Path, p.Generation)
		fmt.Fprintln(w, "| job | bucket | inputs | operation | windows | requests | first window | last window |")
		fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|")
		type jobStats struct {
			first, last *plan.Request
			n           int
		}
		stats := make(map[string]*jobStats, len(p.Jobs))
		for r := range p.Requests() {
			if !keeps(keep, &r) {
				continue
			}
			st := stats[r.Job]
			if st == nil {
				f := r
				st = &jobStats{first: &f}
				stats[r.Job] = st
			}
			l := r
			st.last = &l
			st.n++
		}
		for i := range p.Jobs {
			j := &p.Jobs[i]
			st := stats[j.Name]
			if st == nil {
				st = &jobStats{}
			}
			total += st.n
			fmt.Fprintf(w, "| %s | %s (%s) | %s | %s | %s | %d | %s | %s |\n", mdEscape(j.Name), j.Bucket, j.Region,
				inputsText(j), mdEscape(operationText(j)), windowsText(j), st.n, requestWindow(st.first), requestWindow(st.last))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "**Total: %s.**\n", plural(total, "request"))
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

// mdCode renders s as a Markdown code span that is safe inside a table cell.
func mdCode(s string) string {
	if s == "" {
		return `""`
	}
	return "`" + strings.ReplaceAll(strings.ReplaceAll(s, "`", "'"), "|", `\|`) + "`"
}

func requestWindow(r *plan.Request) string {
	if r == nil || r.Start == "" {
		return "-"
	}
	return r.Start + " → " + r.End
}

func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "*", `\*`, "_", `\_`).Replace(s)
}
