package report

import (
	"bufio"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
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
func previewText(out io.Writer, plans []*plan.Plan, keep func(*plan.Request) bool, known *executor.Known) error {
	w := bufio.NewWriterSize(out, 64<<10)
	total, done := 0, 0
	for _, p := range plans {
		fmt.Fprintf(w, "plan %s (%s), generation %d\n", p.Name, p.Path, p.Generation)
		counts, err := countActions(p, keep, known)
		if err != nil {
			return err
		}
		job := ""
		var tw *tabwriter.Writer
		flush := func() {
			if job == "" {
				return
			}
			c := counts[job]
			if tw != nil {
				tw.Flush()
			}
			if known.Knows() {
				fmt.Fprintf(w, "  %s to create\n\n", plural(c.create, "request"))
			} else {
				fmt.Fprintf(w, "  %s\n\n", plural(c.create, "request"))
			}
		}
		for r := range p.Requests() {
			if !keeps(keep, &r) {
				continue
			}
			if r.Job != job {
				flush()
				job, tw = r.Job, nil
				c := counts[r.Job]
				total += c.create
				done += c.skip
				fmt.Fprintf(w, "  job %s: %s", r.Job, describeJob(jobByName(p, r.Job)))
				if known.Knows() {
					fmt.Fprintf(w, ": %d to create, %d already done", c.create, c.skip)
				}
				w.WriteString("\n")
			}
			if known.Knows() {
				action, _, err := known.Action(&r)
				if err != nil {
					return err
				}
				if action == executor.ActionSkip {
					continue
				}
			}
			if tw == nil {
				tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "    NAME\tINPUT\tOPERATION\tSTART\tEND")
			}
			op := r.Workflow
			if r.Node != nil {
				op = r.Node.Tag + " " + r.Node.TemplateID
			}
			fmt.Fprintf(tw, "    %s\t%s %s\t%s\t%s\t%s\n", r.Name, r.InputKind, quoteEmpty(r.InputValue), op, dash(r.Start), dash(r.End))
		}
		flush()
	}
	if stale := known.Stale(); len(stale) > 0 {
		fmt.Fprintf(w, "no longer in the plan: %s (a run leaves them alone; an edit adds work, it does not replace it)\n",
			plural(len(stale), "batch job"))
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "    PLAN\tJOB\tNAME\tJOB ID\tSTATE\tFROM")
		for i, s := range stale {
			if i == maxListed {
				fmt.Fprintf(tw, "    ... and %d more\n", len(stale)-maxListed)
				break
			}
			fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\t%s\t%s\n", clean(s.Plan), dash(clean(s.Job)), clean(s.Name), dash(clean(s.JobID)), dash(clean(s.State)), s.Source)
		}
		tw.Flush()
		w.WriteString("\n")
	}
	if known.Knows() {
		fmt.Fprintf(w, "total: %s would be sent, %d already done (dry run: nothing was sent)\n", plural(total, "request"), done)
	} else {
		fmt.Fprintf(w, "total: %s would be sent (dry run: nothing was sent)\n", plural(total, "request"))
		fmt.Fprintln(w, "(no state file: a run skips those already done on the service; --refresh asks it which)")
	}
	return w.Flush()
}
