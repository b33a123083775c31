package executor

import (
	"errors"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/pace"
	"github.com/planrun/planrun/plan/request"
)

// The words of per-object results that batch jobs, objects and what renders them share
// (package objects reads them; report renders them).

// BatchJob is one batch job whose per-object results objects.Results reads.
type BatchJob struct {
	// Key is the request that made the batch job: its plan's, with the Name of the
	// attempt or retry that made it. Type is ciapi.TypeWorkflow (the default when empty)
	// or ciapi.TypeJob; Workflow, of type Workflow, is the workflow the batch job runs.
	request.Key
	ID  string // the batch job id
	Tag string // type Job: the node tag
	// Attempt is 1 for the plan's own batch job and 2 and up for the batch jobs that
	// trigger its failed objects again; 0 means 1.
	Attempt int
	// Origin is the name of the plan's request whose objects this batch job runs again
	// (attempt 2 and up); empty means Name.
	Origin string
}

// ObjectResult is the outcome of one execution: one object through one workflow, or one
// node job on one object.
type ObjectResult struct {
	// Key is the request of the batch job (BatchJob.Key): its plan, job, Name, bucket and
	// region, and for type Workflow the workflow the execution ran.
	request.Key
	// Origin is the name of the plan's request the object came from: Name for attempt 1,
	// the request whose failure a retry batch job (Name) triggers again for later ones.
	Origin        string
	BatchJobID    string
	Object        string // the bare key, exactly: an object URL of the bucket becomes its key, anything else is a key as sent (ciapi.ExactKey)
	Tag           string // type Job
	State         string // Running, Success, Failed, Cancel, ... as the service says
	Code, Message string // the failure's, when State is Failed
	// Round is the retry round of the object: 1 for the plan's batch job, 2 and up for
	// the batch jobs that trigger it again (not the rerun attempt of Key.Attempt).
	Round       int
	ExecutionID string // the RunId of a workflow execution, the JobId of a node job
	// DetailErr is set when the detail call of a failed workflow execution failed: Code
	// and Message are then unknown.
	DetailErr error
}

// Failed reports whether the execution ended Failed.
func (r *ObjectResult) Failed() bool { return r.State == ciapi.StateFailed }

// ObjectCounts are the per-object counts of one batch job.
type ObjectCounts struct {
	BatchJob
	Objects   int // executions seen (one per object per workflow, or per node job)
	Succeeded int
	Failed    int
	Running   int // Submitted or Running
	Other     int // Cancel, Pause, or a state the service may add
	// Attempts is the highest attempt among the objects counted, each at its latest (1
	// without retries; 0 when none was counted).
	Attempts int
	// ByCode counts the failures per Code ("" when unknown).
	ByCode map[string]int
	// DetailErrors counts the failed executions whose detail call failed.
	DetailErrors int
	// Err is why the listing stopped before its end (a call that failed, a page token
	// repeated, a batch job the service no longer has): the counts hold what was read.
	Err error
}

// ErrTokenLoop reports a list whose pages did not end: a page token answered before
// (following it would loop forever), or more pages than the cap. It is pace.ErrPaging.
var ErrTokenLoop = pace.ErrPaging

// ErrBatchJobGone reports a batch job that the service no longer has.
var ErrBatchJobGone = errors.New("the service no longer has this batch job")

// RetryKey is what names a retry: the workflow of r, or its node tag.
func (r *ObjectResult) RetryKey() string {
	if r.Tag != "" {
		return r.Tag
	}
	return r.Workflow
}

// Untriggered is a request of a plan that has no batch job: never triggered, or triggered
// and gone from the service.
type Untriggered struct {
	Plan, Job, Name string
	Err             error // the lookup's error when it failed; nil when simply not found
}

// FailureCode is the code the failure is grouped under in counts and summaries: the
// service's, or a placeholder when the detail call failed or the service gave none.
func (r *ObjectResult) FailureCode() string {
	switch {
	case r.Code != "":
		return r.Code
	case r.DetailErr != nil:
		return "(detail call failed)"
	}
	return "(no code)"
}
