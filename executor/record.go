package executor

import (
	"time"

	"github.com/planrun/planrun/plan"
)

// State-file statuses of a request row.
const (
	// RowPlanned: known but never sent (or given back unsent after an interruption).
	RowPlanned = "planned"
	// RowSending: a create may be on its way; its outcome is unknown until reconciled.
	RowSending = "sending"
	// RowTriggered: the job was created by planrun; JobID is set.
	RowTriggered = "triggered"
	// RowSkipped: the job was found on the service before sending; JobID is set.
	RowSkipped = "skipped"
	// RowFailed: the last attempt failed; the next run reconciles and retries it.
	RowFailed = "failed"
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
	Type         string
	InputKind    string
	Input        string
	Workflow     string
	WindowStart  string
	WindowEnd    string
	Status       string // RowPlanned, RowSending, RowTriggered, RowSkipped or RowFailed
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

// Done reports whether the row proves the request needs no further API call.
func (r *Record) Done() bool {
	return (r.Status == RowTriggered || r.Status == RowSkipped) && r.JobID != ""
}

// recordFor fills the request part of a Record from r.
func recordFor(r *plan.Request, status string) Record {
	return Record{
		Plan: r.Plan, Name: r.Name, Bucket: r.Bucket, Region: r.Region, Job: r.Job, Seq: r.Seq,
		Digest: r.Digest, Type: r.Type, InputKind: r.InputKind, Input: r.InputValue,
		Workflow: r.Workflow, WindowStart: r.Start, WindowEnd: r.End, Status: status,
	}
}
