package results

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/report/layout"
	"github.com/planrun/planrun/report/safetext"
)

// NewText returns the text writer of results on w: a table per plan job.
func NewText(w io.Writer, opts ResultsOptions) ResultsWriter { return &resultsText{w: w, opts: opts} }

// resultsText renders a table per plan job (objects, succeeded, failed, running, other,
// per workflow or tag, and the failures grouped by code) once every record is counted;
// with FailedOnly it also writes one line per failed object as it arrives.
type resultsText struct {
	w    io.Writer
	opts ResultsOptions
	t    tallies
	bw   *bufio.Writer
}

func (x *resultsText) Write(r *executor.ObjectResult) error {
	x.t.add(r)
	if !x.opts.FailedOnly || !r.Failed() {
		return nil
	}
	if x.bw == nil {
		x.bw = bufio.NewWriter(x.w)
	}
	_, err := fmt.Fprintln(x.bw, FailedObjectLine(r, x.opts.Color, x.opts.fitWidth()))
	return err
}

// FailedObjectLine renders "FAILED plan/job object (workflow w..., attempt 1): Code: Message"
// in width columns (0: any): narrow, it says "FAILED object (attempt 1): Code: Message",
// the key and the reason elided in the middle.
func FailedObjectLine(r *executor.ObjectResult, color bool, width int) string {
	via := "workflow " + r.Workflow
	if r.Tag != "" {
		via = "tag " + r.Tag
	}
	reason := r.FailureCode()
	if r.Message != "" {
		reason += ": " + r.Message
	}
	if r.DetailErr != nil {
		reason += ": " + r.DetailErr.Error()
	}
	obj, pj := safetext.Line(r.Object), safetext.Line(r.Plan+"/"+r.Job)
	reason = safetext.Line(reason)
	// The most that fits: the batch job, then the workflow, then the plan job go first.
	candidates := []string{
		fmt.Sprintf("%s %s (%s, attempt %d, batch job %s): %s", pj, obj, safetext.Line(via), r.Round, safetext.Line(r.BatchJobID), reason),
		fmt.Sprintf("%s %s (%s, attempt %d): %s", pj, obj, safetext.Line(via), r.Round, reason),
		fmt.Sprintf("%s %s (attempt %d): %s", pj, obj, r.Round, reason),
		fmt.Sprintf("%s (attempt %d): %s", obj, r.Round, reason),
	}
	line := candidates[0]
	room := width - len("FAILED ")
	if width > 0 && layout.TextWidth(line) > room {
		for _, c := range candidates[1:] {
			if line = c; layout.TextWidth(c) <= room {
				break
			}
		}
		if layout.TextWidth(line) > room {
			tail := fmt.Sprintf(" (attempt %d): ", r.Round)
			key := layout.ElideMiddle(obj, max(room*2/5, 16))
			line = key + tail + layout.ElideMiddle(reason, max(room-layout.TextWidth(key)-len(tail), 12))
		}
	}
	return layout.Paint("FAILED", layout.ANSIRed, color) + " " + line
}

func (x *resultsText) Finish(counts []executor.ObjectCounts) error {
	if x.bw == nil {
		x.bw = bufio.NewWriter(x.w)
	}
	w, color, width := x.bw, x.opts.Color, x.opts.fitWidth()
	if x.opts.FailedOnly && len(x.t.order) > 0 {
		fmt.Fprintln(w)
	}
	x.t.ensure(counts)
	batches := batchJobsOf(counts)
	for i, k := range x.t.order {
		if i > 0 {
			fmt.Fprintln(w)
		}
		jt := x.t.jobs[k]
		plan, job := safetext.Line(k.plan), safetext.Line(k.job)
		if width > 0 {
			plan, job = layout.ElideMiddle(plan, max(width/3, 12)), layout.ElideMiddle(job, max(width/3, 12))
		}
		fmt.Fprintf(w, "%s / %s: %s\n", layout.Paint(plan, layout.ANSIBold, color), job, layout.Plural(batches[k], "batch job"))
		tb := &layout.Table{Left: 1, Specs: []layout.ColSpec{{Min: 12, Drop: 0}}, Width: width}
		tb.Add(layout.Cell{Text: "WORKFLOW/TAG"}, layout.Cell{Text: "OBJECTS"}, layout.Cell{Text: "SUCCEEDED"}, layout.Cell{Text: "FAILED"},
			layout.Cell{Text: "RUNNING"}, layout.Cell{Text: "OTHER"})
		row := func(name string, t *objectTally) {
			tb.Add(layout.Cell{Text: safetext.Line(name)}, layout.Cell{Text: strconv.Itoa(t.objects)},
				layout.Cell{Text: strconv.Itoa(t.succeeded), Style: layout.StyleIf(t.succeeded, layout.ANSIGreen)},
				layout.Cell{Text: strconv.Itoa(t.failed), Style: layout.StyleIf(t.failed, layout.ANSIRed)},
				layout.Cell{Text: strconv.Itoa(t.running), Style: layout.StyleIf(t.running, layout.ANSIYellow)},
				layout.Cell{Text: strconv.Itoa(t.other)})
		}
		for _, wf := range jt.by {
			row(wf, jt.per[wf])
		}
		if len(jt.by) != 1 {
			row("total", &jt.total)
		}
		if err := tb.Write(w, "  ", color); err != nil {
			return err
		}
		if jt.total.failed > 0 {
			fmt.Fprintln(w, "  failures by code:")
			ct := &layout.Table{Left: 1, Specs: []layout.ColSpec{{Min: 12, Drop: 0}}, Width: width}
			for _, code := range codesByCount(jt.total.byCode) {
				ct.Add(layout.Cell{Text: safetext.Line(code), Style: layout.ANSIRed}, layout.Cell{Text: strconv.Itoa(jt.total.byCode[code])})
			}
			if err := ct.Write(w, "    ", color); err != nil {
				return err
			}
		}
	}
	if lines := ProblemLines(counts); len(lines) > 0 {
		fmt.Fprintf(w, "\n%s\n", layout.Paint("Problems:", layout.ANSIRed, color))
		for _, l := range lines {
			fmt.Fprintf(w, "%s\n", strings.Replace(layout.IndentLines(layout.WrapWidth(l, width-4), "    "), "    ", "  ", 1))
		}
	}
	return w.Flush()
}
