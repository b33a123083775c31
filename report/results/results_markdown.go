package results

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/report/layout"
	"github.com/planrun/planrun/report/safetext"
)

// NewMarkdown returns the Markdown writer of results on w.
func NewMarkdown(w io.Writer, opts ResultsOptions) ResultsWriter {
	return &resultsMarkdown{w: w, opts: opts}
}

// resultsMarkdown renders a Markdown table per plan job and the failures grouped by
// code, once every record is counted; with FailedOnly it first lists the failed objects
// (at most layout.MaxListed, then how many more).
type resultsMarkdown struct {
	w      io.Writer
	opts   ResultsOptions
	t      tallies
	listed int
	more   int
	bw     *bufio.Writer
}

// mdCell escapes s for a Markdown table cell.
func mdCell(s string) string {
	return strings.ReplaceAll(safetext.Markdown(s), "`", "'")
}

func (m *resultsMarkdown) Write(r *executor.ObjectResult) error {
	m.t.add(r)
	if !m.opts.FailedOnly || !r.Failed() {
		return nil
	}
	if m.listed == layout.MaxListed {
		m.more++
		return nil
	}
	if m.bw == nil {
		m.bw = bufio.NewWriter(m.w)
	}
	if m.listed == 0 {
		fmt.Fprint(m.bw, "### Failed objects\n\n| Plan job | Object | Workflow / tag | Attempt | Code | Message |\n|---|---|---|---:|---|---|\n")
	}
	m.listed++
	via := r.Workflow
	if r.Tag != "" {
		via = r.Tag
	}
	msg := r.Message
	if r.DetailErr != nil {
		msg = r.DetailErr.Error()
	}
	_, err := fmt.Fprintf(m.bw, "| %s/%s | %s | %s | %d | %s | %s |\n", mdCell(r.Plan), mdCell(r.Job),
		layout.MDCode(r.Object), mdCell(via), r.Round, mdCell(r.FailureCode()), mdCell(msg))
	return err
}

func (m *resultsMarkdown) Finish(counts []executor.ObjectCounts) error {
	if m.bw == nil {
		m.bw = bufio.NewWriter(m.w)
	}
	w := m.bw
	if m.listed > 0 {
		if m.more > 0 {
			fmt.Fprintf(w, "\n…and %d more failed objects (see `planrun results --failed --format json`).\n", m.more)
		}
		fmt.Fprintln(w)
	}
	m.t.ensure(counts)
	batches := batchJobsOf(counts)
	fmt.Fprintln(w, "### Results per object")
	for _, k := range m.t.order {
		jt := m.t.jobs[k]
		fmt.Fprintf(w, "\n**%s / %s** (%s)\n\n", mdCell(k.plan), mdCell(k.job), layout.Plural(batches[k], "batch job"))
		fmt.Fprint(w, "| Workflow / tag | Objects | Succeeded | Failed | Running | Other |\n|---|---:|---:|---:|---:|---:|\n")
		row := func(name string, t *objectTally) {
			fmt.Fprintf(w, "| %s | %d | %d | %d | %d | %d |\n", name, t.objects, t.succeeded, t.failed, t.running, t.other)
		}
		for _, wf := range jt.by {
			row(mdCell(wf), jt.per[wf])
		}
		if len(jt.by) != 1 {
			row("**total**", &jt.total)
		}
		if jt.total.failed > 0 {
			fmt.Fprint(w, "\n| Failure code | Objects |\n|---|---:|\n")
			for _, code := range codesByCount(jt.total.byCode) {
				fmt.Fprintf(w, "| %s | %d |\n", mdCell(code), jt.total.byCode[code])
			}
		}
	}
	if lines := ProblemLines(counts); len(lines) > 0 {
		fmt.Fprint(w, "\n**Problems**\n\n")
		for _, l := range lines {
			fmt.Fprintf(w, "- %s\n", mdCell(l))
		}
	}
	return w.Flush()
}
