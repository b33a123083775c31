package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
)

// dryRecord is one line of `run --dry-run --format json`.
type dryRecord struct {
	Seq      int    `json:"seq"`
	Plan     string `json:"plan"`
	Job      string `json:"job"`
	Name     string `json:"name"`
	Bucket   string `json:"bucket"`
	Region   string `json:"region"`
	Type     string `json:"type"`
	Input    string `json:"input"`
	Value    string `json:"value"`
	Workflow string `json:"workflow,omitempty"`
	Start    string `json:"start,omitempty"`
	End      string `json:"end,omitempty"`
	Body     string `json:"body"`
}

// dryRun prints what a run would send, streaming: memory does not grow with the plan.
func dryRun(e *env, format string, plans []*plan.Plan, sel plan.Shard) error {
	bw := bufio.NewWriterSize(e.stdout, 64<<10)
	var err error
	switch format {
	case "json":
		err = dryRunJSON(bw, plans, sel)
	case "markdown":
		err = writePreviewMarkdown(bw, plans, sel)
	default:
		err = dryRunText(bw, plans, sel)
	}
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	return err
}

func dryRunJSON(w io.Writer, plans []*plan.Plan, sel plan.Shard) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, p := range plans {
		for r := range p.Requests() {
			if !sel.Contains(r.Name) {
				continue
			}
			body, err := executor.Body(&r)
			if err != nil {
				return fmt.Errorf("render %s: %w", r.Name, err)
			}
			rec := dryRecord{Seq: r.Seq, Plan: r.Plan, Job: r.Job, Name: r.Name, Bucket: r.Bucket, Region: r.Region,
				Type: r.Type, Input: r.InputKind, Value: r.InputValue, Workflow: r.Workflow, Start: r.Start, End: r.End,
				Body: string(body)}
			if err := enc.Encode(&rec); err != nil {
				return err
			}
		}
	}
	return nil
}

func dryRunText(w io.Writer, plans []*plan.Plan, sel plan.Shard) error {
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
			if !sel.Contains(r.Name) {
				continue
			}
			if r.Job != job {
				flush()
				job, n = r.Job, 0
				j := jobByName(p, r.Job)
				fmt.Fprintf(w, "  job %s: %s\n", r.Job, describeJob(j))
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
	return nil
}

// describeJob summarises a job: where it runs and how it multiplies.
func describeJob(j *plan.Job) string {
	if j == nil {
		return ""
	}
	inputs := 1
	if len(j.Prefixes) > 0 {
		inputs = len(j.Prefixes)
	}
	ops := 1
	opName := "node " + nodeTag(j)
	if j.Type != "job" {
		ops = len(j.Workflows)
		opName = plural(ops, "workflow")
	}
	wins := windowCount(j)
	return fmt.Sprintf("bucket %s (%s), %s x %s x %s = %s", j.Bucket, j.Region,
		pluralKind(inputs, inputKindName(j)), opName, plural(wins, "window"), plural(inputs*ops*wins, "request"))
}

// windowCount is the number of windows a job multiplies by: 1 without a window.
func windowCount(j *plan.Job) int {
	if j.Window == nil {
		return 1
	}
	return j.WindowCount()
}

func pluralKind(n int, kind string) string {
	if n == 1 {
		return "1 " + kind
	}
	if kind == "prefix" {
		return fmt.Sprintf("%d prefixes", n)
	}
	return plural(n, kind)
}

func nodeTag(j *plan.Job) string {
	if j.Node == nil {
		return ""
	}
	return j.Node.Tag
}

func inputKindName(j *plan.Job) string {
	switch {
	case j.Manifest != "":
		return "manifest"
	case j.URLFile != "":
		return "url file"
	case j.Object != "":
		return "object"
	}
	return "prefix"
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func quoteEmpty(s string) string {
	if s == "" {
		return `""`
	}
	return s
}

// writePreviewMarkdown renders a compact pull-request preview: per job, inputs x operations x
// windows = requests, and the first and last window.
func writePreviewMarkdown(w io.Writer, plans []*plan.Plan, sel plan.Shard) error {
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
			if !sel.Contains(r.Name) {
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
				inputsText(j), mdEscape(operationText(j)), windowsText(j), st.n, windowText(st.first), windowText(st.last))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "**Total: %s.**\n", plural(total, "request"))
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

// mdCode renders s as a Markdown code span that is safe inside a table cell.
func mdCode(s string) string {
	if s == "" {
		return `""`
	}
	return "`" + strings.ReplaceAll(strings.ReplaceAll(s, "`", "'"), "|", `\|`) + "`"
}

func operationText(j *plan.Job) string {
	if j.Type == "job" && j.Node != nil {
		return j.Node.Tag + " " + j.Node.TemplateID
	}
	return strings.Join(j.Workflows, ", ")
}

func windowText(r *plan.Request) string {
	if r == nil || r.Start == "" {
		return "-"
	}
	return r.Start + " → " + r.End
}

func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "*", `\*`, "_", `\_`).Replace(s)
}

func jobByName(p *plan.Plan, name string) *plan.Job {
	for i := range p.Jobs {
		if p.Jobs[i].Name == name {
			return &p.Jobs[i]
		}
	}
	return nil
}
