package results

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/report/layout"
	"github.com/planrun/planrun/report/safetext"
)

// The names of the formats of `planrun results` (see report.Formats(report.Results)).
const (
	ResultsText     = "text"
	ResultsJSON     = "json"
	ResultsCSV      = "csv"
	ResultsJUnit    = "junit"
	ResultsMarkdown = "markdown"
)

// ResultsOptions tune a results writer.
type ResultsOptions struct {
	// FailedOnly keeps the failed executions only (--failed); counts still cover all.
	FailedOnly bool
	// Color paints the text tables with ANSI colours.
	Color bool
	// Width fits the text output to this many columns (see TableWidth; 0: DefaultWidth);
	// Wide prints every value whole (--wide).
	Width int
	Wide  bool
}

// fitWidth is the width the text output is fitted to, 0 with Wide.
func (o ResultsOptions) fitWidth() int { return layout.FitWidth(o.Width, o.Wide) }

// ResultsWriter renders per-object results as they arrive: Write is called once per
// execution, in the order read (the executions of one batch job together), and Finish once
// with the counts of every batch job. Record formats (json, csv, junit) write as records
// arrive and hold none; the text and markdown tables aggregate counts only. A
// ResultsWriter is not safe for concurrent use (objects.Results never emits concurrently).
type ResultsWriter interface {
	Write(r *executor.ObjectResult) error
	Finish(counts []executor.ObjectCounts) error
}

// ProblemLines renders, one line each, what kept results from being complete: a listing
// that stopped (a call that failed, a repeated page token, a batch job gone) and failed
// detail calls. Empty when everything was read.
func ProblemLines(counts []executor.ObjectCounts) []string {
	var out []string
	for _, c := range counts {
		who := fmt.Sprintf("%s/%s: %s (batch job %s)", c.Plan, c.Job, c.Name, c.ID)
		if c.Err != nil {
			what := "results incomplete"
			switch {
			case errors.Is(c.Err, executor.ErrBatchJobGone):
				what = "no results"
			case c.Objects == 0:
				what = "no results read"
			}
			out = append(out, safetext.Line(fmt.Sprintf("%s: %s: %v", who, what, c.Err)))
		}
		if c.DetailErrors > 0 {
			out = append(out, safetext.Line(fmt.Sprintf("%s: the reason of %s is unknown (the detail call failed)",
				who, layout.Plural(c.DetailErrors, "failed execution"))))
		}
	}
	return out
}

// objectTally is the aggregate of one plan job (or one workflow or tag of it).
type objectTally struct {
	objects, succeeded, failed, running, other int
	byCode                                     map[string]int
}

func (t *objectTally) add(r *executor.ObjectResult) {
	t.objects++
	switch r.State {
	case executor.StateSuccess:
		t.succeeded++
	case executor.StateFailed:
		t.failed++
		if t.byCode == nil {
			t.byCode = map[string]int{}
		}
		t.byCode[r.FailureCode()]++
	case executor.StateSubmitted, executor.StateRunning:
		t.running++
	default:
		t.other++
	}
}

// codesByCount returns the codes of m, most frequent first, then by name.
func codesByCount(m map[string]int) []string {
	codes := make([]string, 0, len(m))
	for c := range m {
		codes = append(codes, c)
	}
	slices.SortFunc(codes, func(a, b string) int {
		if m[a] != m[b] {
			return m[b] - m[a]
		}
		return strings.Compare(a, b)
	})
	return codes
}

// planJob is the key of a plan job.
type planJob struct{ plan, job string }

// tallies aggregates records per plan job and, inside, per workflow or tag, in the order
// first seen. Its size is bounded by the plan jobs and workflows, never the objects.
type tallies struct {
	order []planJob
	jobs  map[planJob]*jobTally
}

type jobTally struct {
	total objectTally
	by    []string // workflows and tags in the order seen
	per   map[string]*objectTally
}

func (ts *tallies) add(r *executor.ObjectResult) {
	if ts.jobs == nil {
		ts.jobs = map[planJob]*jobTally{}
	}
	k := planJob{r.Plan, r.Job}
	jt := ts.jobs[k]
	if jt == nil {
		jt = &jobTally{per: map[string]*objectTally{}}
		ts.jobs[k] = jt
		ts.order = append(ts.order, k)
	}
	jt.total.add(r)
	wf := r.Workflow
	if wf == "" {
		wf = r.Tag
	}
	if jt.per[wf] == nil {
		jt.per[wf] = &objectTally{}
		jt.by = append(jt.by, wf)
	}
	jt.per[wf].add(r)
}

// ensure adds the plan jobs of counts that no record named (no objects at all).
func (ts *tallies) ensure(counts []executor.ObjectCounts) {
	if ts.jobs == nil {
		ts.jobs = map[planJob]*jobTally{}
	}
	for _, c := range counts {
		k := planJob{c.Plan, c.Job}
		if ts.jobs[k] == nil {
			ts.jobs[k] = &jobTally{per: map[string]*objectTally{}}
			ts.order = append(ts.order, k)
		}
	}
}

// batchJobsOf counts the batch jobs of each plan job.
func batchJobsOf(counts []executor.ObjectCounts) map[planJob]int {
	m := map[planJob]int{}
	for _, c := range counts {
		m[planJob{c.Plan, c.Job}]++
	}
	return m
}

// keep reports whether a record is written under opts.
func (o ResultsOptions) keep(r *executor.ObjectResult) bool {
	return !o.FailedOnly || r.Failed()
}

// detailText is the error of a failed detail call, or "".
func detailText(r *executor.ObjectResult) string {
	if r.DetailErr == nil {
		return ""
	}
	return safetext.Line(r.DetailErr.Error())
}
