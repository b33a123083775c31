package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/report/safetext"
)

// RetryRecord is one line of `planrun retry --dry-run --format json`: an object that
// would be triggered again, and the attempt that failed.
type RetryRecord struct {
	Plan   string `json:"plan"`
	Job    string `json:"job"`
	Origin string `json:"origin"` // the plan's request the object came from
	// Name is the deterministic name of the retry batch job.
	Name     string `json:"name"`
	Bucket   string `json:"bucket"`
	Region   string `json:"region"`
	Object   string `json:"object"`
	Workflow string `json:"workflow,omitempty"`
	Tag      string `json:"tag,omitempty"`
	// Attempt is the attempt the retry makes (2 and up).
	Attempt int `json:"attempt"`
	// The failed attempt: its batch job, code and message.
	FailedBatchJobID string `json:"failed_batch_job_id"`
	Code             string `json:"code"`
	Message          string `json:"message"`
}

// retryRecord describes the retry of the failed attempt r.
func retryRecord(r *executor.ObjectResult) RetryRecord {
	return RetryRecord{Plan: r.Plan, Job: r.Job, Origin: r.Origin,
		Name:   plan.RetryName(r.Origin, r.RetryKey(), r.Object, r.Attempt+1),
		Bucket: r.Bucket, Region: r.Region, Object: r.Object, Workflow: r.Workflow, Tag: r.Tag,
		Attempt: r.Attempt + 1, FailedBatchJobID: r.BatchJobID, Code: r.Code, Message: r.Message}
}

// WriteRetryPreview writes what planrun retry would trigger (--dry-run): as text, a line
// per object; as json, a RetryRecord per line.
func WriteRetryPreview(w io.Writer, format string, set *executor.RetrySet) error {
	bw := bufio.NewWriter(w)
	if format == "json" {
		enc := json.NewEncoder(safetext.JSONWriter(bw))
		enc.SetEscapeHTML(false)
		for i := range set.Retry {
			if err := enc.Encode(retryRecord(&set.Retry[i])); err != nil {
				return err
			}
		}
		return bw.Flush()
	}
	fmt.Fprintf(bw, "planrun retry --dry-run: %d of %d objects failed at their latest attempt; %d would be triggered again, %d failed every allowed attempt\n",
		set.Failed, set.Objects, len(set.Retry), len(set.Exhausted))
	if len(set.Retry) > 0 {
		tw := tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "\nPLAN\tJOB\tOBJECT\tWORKFLOW/TAG\tATTEMPT\tLAST FAILURE\tNAME")
		for i := range set.Retry {
			rr := retryRecord(&set.Retry[i])
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", rr.Plan, rr.Job, clean(rr.Object),
				rr.Workflow+rr.Tag, rr.Attempt, clean(failureCode(&set.Retry[i])), rr.Name)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// WriteExhausted lists the objects that failed maxAttempts times and are not retried.
func WriteExhausted(w io.Writer, maxAttempts int, rs []executor.ObjectResult, color bool) error {
	if len(rs) == 0 {
		return nil
	}
	bw := bufio.NewWriter(w)
	noun := "objects"
	if len(rs) == 1 {
		noun = "object"
	}
	fmt.Fprintf(bw, "\n%d %s failed %d attempts and will not be retried (--max-attempts %d):\n", len(rs), noun, maxAttempts, maxAttempts)
	for i := range rs {
		fmt.Fprintln(bw, "  "+failedObjectLine(&rs[i], color))
	}
	return bw.Flush()
}

// WriteRetryStart says what planrun retry is about to trigger, or that there is nothing to
// retry: one line, for stderr.
func WriteRetryStart(w io.Writer, set *executor.RetrySet) error {
	if len(set.Retry) == 0 {
		still := ""
		if set.Unfinished > 0 {
			still = fmt.Sprintf("; %s of earlier retries not finished yet", objectsText(set.Unfinished))
		}
		_, err := fmt.Fprintf(w, "planrun retry: nothing to retry: %d of %d objects failed at their latest attempt%s\n",
			set.Failed, set.Objects, still)
		return err
	}
	_, err := fmt.Fprintf(w, "planrun retry: triggering %s again (%d of %d objects failed at their latest attempt)\n",
		objectsText(len(set.Retry)), set.Failed, set.Objects)
	return err
}

// objectsText is "1 object" or "n objects".
func objectsText(n int) string {
	if n == 1 {
		return "1 object"
	}
	return fmt.Sprintf("%d objects", n)
}
