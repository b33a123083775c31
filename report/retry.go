package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/objects"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/report/layout"
	"github.com/planrun/planrun/report/results"
	"github.com/planrun/planrun/report/safetext"
)

// RetryRecord is one line of `planrun retry --dry-run --format json`: an object that
// would be triggered again, and the attempt that failed.
type RetryRecord struct {
	Plan   string `json:"plan"`
	Job    string `json:"job"`
	Origin string `json:"origin,omitempty"` // the plan's request the object came from
	// Name is the deterministic name of the retry batch job.
	Name     string `json:"name"`
	Bucket   string `json:"bucket"`
	Region   string `json:"region"`
	Object   string `json:"object"`
	Workflow string `json:"workflow,omitempty"`
	Tag      string `json:"tag,omitempty"`
	// Attempt is the attempt the retry makes (2 and up).
	Attempt int `json:"attempt"`
	// The failed attempt: its batch job, code and message (flat, and as the error object
	// of every JSON output); empty ones left out.
	FailedBatchJobID string     `json:"failed_batch_job_id,omitempty"`
	Code             string     `json:"code,omitempty"`
	Message          string     `json:"message,omitempty"`
	Error            *jsonError `json:"error,omitempty"`
}

// retryRecord describes the retry of the failed attempt r.
func retryRecord(r *executor.ObjectResult) RetryRecord {
	return RetryRecord{Plan: r.Plan, Job: r.Job, Origin: r.Origin,
		Name:   plan.RetryName(r.Origin, r.RetryKey(), r.Object, r.Round+1),
		Bucket: r.Bucket, Region: r.Region, Object: r.Object, Workflow: r.Workflow, Tag: r.Tag,
		Attempt: r.Round + 1, FailedBatchJobID: r.BatchJobID, Code: r.Code, Message: r.Message, Error: results.ObjectError(r)}
}

// retrySpecs are how the retry preview's columns give way in a narrow terminal: the retry
// batch job's name goes first, then the workflow, the plan and the job; the object key and
// the failure are elided.
var retrySpecs = []layout.ColSpec{{Min: 0, Drop: 3}, {Min: 0, Drop: 4}, {Min: 30, Drop: 0}, {Min: 12, Drop: 2}, {Min: 0, Drop: 0}, {Min: 16, Drop: 0}, {Min: 20, Drop: 1}}

// WriteRetryPreview writes what planrun retry would trigger (--dry-run) in format (see
// Formats(Retry)): as text, a table of the objects fitted to the width of opts (WithWidth,
// WithWide); as json, a RetryRecord per line.
func WriteRetryPreview(w io.Writer, format string, set *objects.RetrySet, opts ...Option) error {
	f, ok := formats[format]
	if !ok || f.retry == nil {
		return unknownFormat(Retry, format)
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	return f.retry(f.guard(w), set, o)
}

// writeRetryJSON writes the retry preview as JSON Lines, a RetryRecord per line.
func writeRetryJSON(w io.Writer, set *objects.RetrySet, _ options) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(safetext.JSONWriter(bw))
	enc.SetEscapeHTML(false)
	for i := range set.Retry {
		rr := retryRecord(&set.Retry[i])
		rr.Name = set.NameOf(i)
		if err := enc.Encode(rr); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// writeRetryText writes the retry preview as a line of counts and a table of the objects.
func writeRetryText(w io.Writer, set *objects.RetrySet, o options) error {
	width := o.fitWidth()
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, layout.WrapWidth(fmt.Sprintf("planrun retry --dry-run: %d of %d objects failed at their latest attempt; %d would be triggered again, %d failed every allowed attempt",
		set.Failed, set.Objects, len(set.Retry), max(set.ExhaustedCount, len(set.Exhausted))), width))
	if len(set.Retry) > 0 {
		bw.WriteString("\n")
		tw := &layout.AlignedTable{W: bw, Specs: retrySpecs, Width: width, Sorted: true}
		fmt.Fprintln(tw, "PLAN\tJOB\tOBJECT\tWORKFLOW/TAG\tATTEMPT\tLAST FAILURE\tNAME")
		for i := range set.Retry {
			rr := retryRecord(&set.Retry[i])
			rr.Name = set.NameOf(i)
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", clean(rr.Plan), clean(rr.Job), clean(rr.Object),
				clean(rr.Workflow+rr.Tag), rr.Attempt, clean(set.Retry[i].FailureCode()), clean(rr.Name))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// WriteExhausted lists the objects that failed maxAttempts times and are not retried, one
// line each fitted to the width of opts (WithWidth, WithWide): total of them, of which rs
// are the ones kept (a lean retry keeps the first thousand).
func WriteExhausted(w io.Writer, maxAttempts, total int, rs []executor.ObjectResult, color bool, opts ...Option) error {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	total = max(total, len(rs))
	if total == 0 {
		return nil
	}
	bw := bufio.NewWriter(w)
	noun := "objects"
	if total == 1 {
		noun = "object"
	}
	fmt.Fprintf(bw, "\n%s\n", layout.WrapWidth(fmt.Sprintf("%d %s failed %d attempts and will not be retried (--max-attempts %d):", total, noun, maxAttempts, maxAttempts), o.fitWidth()))
	for i := range rs {
		fmt.Fprintln(bw, "  "+results.FailedObjectLine(&rs[i], color, max(o.fitWidth()-2, 0)))
	}
	if left := total - len(rs); left > 0 {
		fmt.Fprintf(bw, "  ... and %d more (planrun results --failed lists them all)\n", left)
	}
	return bw.Flush()
}

// WriteRetryStart says what planrun retry is about to trigger, or that there is nothing to
// retry: one line, for stderr.
func WriteRetryStart(w io.Writer, set *objects.RetrySet) error {
	if set.Retrying == 0 {
		still := ""
		if set.Unfinished > 0 {
			still = fmt.Sprintf("; %s of earlier retries not finished yet", objectsText(set.Unfinished))
		}
		_, err := fmt.Fprintf(w, "planrun retry: nothing to retry: %d of %d objects failed at their latest attempt%s\n",
			set.Failed, set.Objects, still)
		return err
	}
	_, err := fmt.Fprintf(w, "planrun retry: triggering %s again (%d of %d objects failed at their latest attempt)\n",
		objectsText(set.Retrying), set.Failed, set.Objects)
	return err
}

// objectsText is "1 object" or "n objects".
func objectsText(n int) string {
	if n == 1 {
		return "1 object"
	}
	return fmt.Sprintf("%d objects", n)
}
