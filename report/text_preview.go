package report

import (
	"bufio"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/planrun/planrun/plan"
)

// previewText prints what a run would send: per plan and job, an aligned table of the
// requests. It streams: memory does not grow with the plans.
func previewText(out io.Writer, plans []*plan.Plan, keep func(*plan.Request) bool) error {
	w := bufio.NewWriterSize(out, 64<<10)
	total := 0
	for _, p := range plans {
		fmt.Fprintf(w, "plan %s (%s), generation %d\n", p.Name, p.Path, p.Generation)
		job, n := "", 0
		var tw *tabwriter.Writer
		flush := func() {
			if tw != nil {
				tw.Flush()
				fmt.Fprintf(w, "  %s\n\n", plural(n, "request"))
			}
		}
		for r := range p.Requests() {
			if !keeps(keep, &r) {
				continue
			}
			if r.Job != job {
				flush()
				job, n = r.Job, 0
				fmt.Fprintf(w, "  job %s: %s\n", r.Job, describeJob(jobByName(p, r.Job)))
				tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "    NAME\tINPUT\tOPERATION\tSTART\tEND")
			}
			op := r.Workflow
			if r.Node != nil {
				op = r.Node.Tag + " " + r.Node.TemplateID
			}
			fmt.Fprintf(tw, "    %s\t%s %s\t%s\t%s\t%s\n", r.Name, r.InputKind, quoteEmpty(r.InputValue), op, dash(r.Start), dash(r.End))
			n++
			total++
		}
		flush()
	}
	fmt.Fprintf(w, "total: %s would be sent (dry run: nothing was sent)\n", plural(total, "request"))
	return w.Flush()
}
