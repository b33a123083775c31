package state

import (
	"fmt"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/plan"
)

// RowStatus is what the state knows of a request: the status of its row.
type RowStatus string

// The statuses of a request row.
const (
	// RowPlanned: known but never sent (or given back unsent after an interruption).
	RowPlanned RowStatus = "planned"
	// RowSending: a create may be on its way; its outcome is unknown until reconciled.
	RowSending RowStatus = "sending"
	// RowTriggered: the job was created by planrun; JobID is set. (Older versions also
	// wrote it with an empty JobID for a 2xx that named no job: such a row is not Done.)
	RowTriggered RowStatus = "triggered"
	// RowSkipped: the job was found on the service before sending; JobID is set.
	RowSkipped RowStatus = "skipped"
	// RowFailed: the last attempt failed; the next run reconciles and retries it.
	RowFailed RowStatus = "failed"
)

// RowStatuses lists every row status, in the order `planrun status` counts them.
var RowStatuses = []RowStatus{RowTriggered, RowSkipped, RowFailed, RowSending, RowPlanned}

// JobType is the kind of batch job a request creates, in the service's spelling.
type JobType string

// The job types of a request.
const (
	// JobTypeWorkflow: the batch job runs a workflow (a plan job of `type: workflow`).
	JobTypeWorkflow JobType = ciapi.TypeWorkflow
	// JobTypeJob: the batch job runs one processing node (a plan job of `type: job`).
	JobTypeJob JobType = ciapi.TypeJob
)

// Record is one row of the state file: a request of a plan, what happened to it and the
// last known state of its job. It never holds credentials.
type Record struct {
	Plan         string
	Name         string
	Bucket       string
	Region       string
	Job          string
	Seq          int
	Digest       string
	Type         JobType
	InputKind    string
	Input        string
	Workflow     string
	WindowStart  string
	WindowEnd    string
	Status       RowStatus
	JobID        string
	JobState     string // last state seen on the service (Submitted, Running, Success, ...)
	JobCreated   string // the service's CreationTime of the job (ciapi.TimeFormat)
	Attempts     int
	ErrorCode    string
	ErrorMessage string
	RequestID    string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Attempt is the request's batch job attempt the row is about, read from its Name
// (plan.SplitAttempt): 1 for the request's own, N for "<name>-a<N>" (run --rerun). In the
// rows of Latest, it is how many attempts the request had.
func (r *Record) Attempt() int {
	_, a := plan.SplitAttempt(r.Name)
	return a
}

// Done reports whether the row proves the request needs no further create: its job
// exists and the service showed it (its id is known). A triggered row without a job id
// (older versions wrote one for a 2xx answer that named no job) is not done: the next run
// reconciles it by Name.
func (r *Record) Done() bool {
	return (r.Status == RowTriggered || r.Status == RowSkipped) && r.JobID != ""
}

// RecordFor fills the request part of a Record from r.
func RecordFor(r *plan.Request, status RowStatus) Record {
	return Record{
		Plan: r.Plan, Name: r.Name, Bucket: r.Bucket, Region: r.Region, Job: r.Job, Seq: r.Seq,
		Digest: r.Digest, Type: JobType(r.Type), InputKind: r.InputKind, Input: r.InputValue,
		Workflow: r.Workflow, WindowStart: r.Start, WindowEnd: r.End, Status: status,
	}
}

// CreateLatency is what a run observed of how long the service takes to make a job. The
// state keeps the last one written, so that a run after a crash can size the settle wait
// of the creates the dead run left without an answer from what that run saw.
type CreateLatency struct {
	// P99 is the 99th percentile of the creates that were answered (0: none yet).
	P99 time.Duration
	// Late is the longest a job took to appear after a create with no answer: from the
	// send to the job's creation time on the service (0: none seen).
	Late time.Duration
	// Unresolved counts the creates with no answer whose job was neither seen nor known
	// to be absent: their latency is unknown, at least the request timeout.
	Unresolved int
	// Timeout is the request timeout of the run that observed these.
	Timeout time.Duration
}

// latencyKey is the meta key of the CreateLatency.
const latencyKey = "create_latency"

// encode renders l as the meta value: four integers (nanoseconds, a count).
func (l *CreateLatency) encode() string {
	return fmt.Sprintf("%d %d %d %d", l.P99, l.Late, l.Unresolved, l.Timeout)
}

// decodeLatency reads a meta value written by encode.
func decodeLatency(v string) (CreateLatency, error) {
	var l CreateLatency
	var p99, late, timeout int64
	if _, err := fmt.Sscanf(v, "%d %d %d %d", &p99, &late, &l.Unresolved, &timeout); err != nil {
		return l, fmt.Errorf("create latency %q: %w", v, err)
	}
	l.P99, l.Late, l.Timeout = time.Duration(p99), time.Duration(late), time.Duration(timeout)
	return l, nil
}
