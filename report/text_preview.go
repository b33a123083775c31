package report

import (
	"bufio"
	"fmt"
	"io"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/report/layout"
)

// jobActions are the counts of one plan job in a preview.
type jobActions struct{ create, skip int }

// countActions counts, per job of p, the requests that keep accepts to create and to skip
// (all to create when known is nil).
func countActions(p *plan.Plan, keep func(*plan.Request) bool, known *executor.Known) (map[string]*jobActions, error) {
	counts := map[string]*jobActions{}
	for r := range p.Requests() {
		if !keeps(keep, &r) {
			continue
		}
		c := counts[r.Job]
		if c == nil {
			c = &jobActions{}
			counts[r.Job] = c
		}
		action, _, err := known.Action(&r)
		if err != nil {
			return nil, err
		}
		if action == executor.ActionSkip {
			c.skip++
		} else {
			c.create++
		}
	}
	return counts, nil
}

// previewText prints what a run would send: per plan and job, an aligned table of the
// requests. When known tells what is done, each job says how many requests it would
// create and how many are already done, the tables list only those to create, and the
// batch jobs no longer in the plans follow. It streams (each plan is expanded twice: the
// counts, then the rows): memory does not grow with the plans.
// Columns of the dry run's tables, and how they give way in a narrow terminal: the end of
// a window goes first (the next window starts there), then the operation and the input.
var (
	previewSpecs = []layout.ColSpec{{Min: 32, Drop: 0}, {Min: 24, Drop: 3}, {Min: 12, Drop: 2}, {Min: 0, Drop: 0}, {Min: 0, Drop: 1}}
	staleSpecs   = []layout.ColSpec{{Min: 0, Drop: 3}, {Min: 0, Drop: 4}, {Min: 32, Drop: 0}, {Min: 12, Drop: 2}, {Min: 9, Drop: 0}, {Min: 0, Drop: 1}}
)

func previewText(out io.Writer, plans []*plan.Plan, keep func(*plan.Request) bool, known *executor.Known, width int) error {
	w := bufio.NewWriterSize(out, 64<<10)
	newTable := func(specs []layout.ColSpec) *layout.AlignedTable {
		return &layout.AlignedTable{W: w, Indent: "    ", Specs: specs, Width: width}
	}
	total, done := 0, 0
	for _, p := range plans {
		fmt.Fprintln(w, layout.WrapWidth(fmt.Sprintf("plan %s (%s), generation %d", p.Name, clean(p.Path), p.Generation), width))
		counts, err := countActions(p, keep, known)
		if err != nil {
			return err
		}
		job := ""
		var tw *layout.AlignedTable
		flush := func() error {
			if job == "" {
				return nil
			}
			c := counts[job]
			if tw != nil {
				if err := tw.Flush(); err != nil {
					return err
				}
			}
			if known.Knows() {
				fmt.Fprintf(w, "  %s to create\n\n", plural(c.create, "request"))
			} else {
				fmt.Fprintf(w, "  %s\n\n", plural(c.create, "request"))
			}
			return nil
		}
		for r := range p.Requests() {
			if !keeps(keep, &r) {
				continue
			}
			if r.Job != job {
				if err := flush(); err != nil {
					return err
				}
				job, tw = r.Job, nil
				c := counts[r.Job]
				total += c.create
				done += c.skip
				line := fmt.Sprintf("job %s: %s", r.Job, describeJob(jobByName(p, r.Job)))
				if known.Knows() {
					line += fmt.Sprintf(": %d to create, %d already done", c.create, c.skip)
				}
				w.WriteString(layout.IndentLines(layout.WrapWidth(line, width-2), "  ") + "\n")
			}
			name := r.Name
			if known.Knows() {
				action, _, err := known.Action(&r)
				if err != nil {
					return err
				}
				if action == executor.ActionSkip {
					continue
				}
				if action == executor.ActionRerun {
					name += " (rerun)" // sent again as a new attempt: run --rerun
				}
			}
			if tw == nil {
				tw = newTable(previewSpecs)
				fmt.Fprintln(tw, "NAME\tINPUT\tOPERATION\tSTART\tEND")
			}
			op := r.Workflow
			if r.Node != nil {
				op = r.Node.Tag + " " + r.Node.TemplateID
			}
			// The input's kind is the job's (its line says it): the column has the value, cleaned.
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", name, quoteEmpty(clean(r.Input)), clean(op), dash(r.StartText()), dash(r.EndText()))
		}
		if err := flush(); err != nil {
			return err
		}
	}
	if stale := known.Stale(); len(stale) > 0 {
		fmt.Fprintln(w, layout.WrapWidth(fmt.Sprintf("no longer in the plan: %s (a run leaves them alone; an edit adds work, it does not replace it)",
			plural(len(stale), "batch job")), width))
		tw := newTable(staleSpecs)
		fmt.Fprintln(tw, "PLAN\tJOB\tNAME\tJOB ID\tSTATE\tFROM")
		more := 0
		for i, s := range stale {
			if i == maxListed {
				more = len(stale) - maxListed
				break
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", clean(s.Plan), dash(clean(s.Job)), clean(s.Name), dash(clean(s.JobID)), dash(clean(s.State)), s.Source)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if more > 0 {
			fmt.Fprintf(w, "    ... and %d more\n", more)
		}
		w.WriteString("\n")
	}
	if known.Knows() {
		fmt.Fprintln(w, layout.WrapWidth(fmt.Sprintf("total: %s would be sent, %d already done (dry run: nothing was sent)", plural(total, "request"), done), width))
	} else {
		fmt.Fprintln(w, layout.WrapWidth(fmt.Sprintf("total: %s would be sent (dry run: nothing was sent)", plural(total, "request")), width))
		fmt.Fprintln(w, layout.WrapWidth("(no state file: a run skips those already done on the service; --refresh asks it which)", width))
	}
	return w.Flush()
}
