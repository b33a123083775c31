package executor

import (
	"fmt"

	"github.com/planrun/planrun/plan"
)

// Outcome is what a run did with a request, as reported in Result and counted in Summary.
type Outcome string

// The outcomes of a request in a run.
const (
	// StatusPlanned: part of the plan; not (yet) done, e.g. after an interruption.
	StatusPlanned Outcome = "planned"
	// StatusSkipped: already done, recorded in the state or found on the service by Name.
	StatusSkipped Outcome = "skipped"
	// StatusTriggered: the job was created by this run.
	StatusTriggered Outcome = "triggered"
	// StatusFailed: the request failed permanently or ran out of retries.
	StatusFailed Outcome = "failed"
)

// Result is the outcome of one request of a run.
type Result struct {
	Plan      string
	Job       string
	Name      string
	Seq       int
	Bucket    string
	Region    string
	Type      string // "Workflow" or "Job" (the service's spelling)
	InputKind string // plan.InputPrefix, plan.InputManifest, plan.InputURLFile or plan.InputObject
	Input     string // the input value: prefix, manifest URL, URL file or object key
	Workflow  string // type Workflow only
	// WindowStart and WindowEnd are the upload-time window (%Y-%m-%dT%H:%M:%S%z); empty without one.
	WindowStart string
	WindowEnd   string
	Status      Outcome // StatusSkipped, StatusTriggered, StatusFailed or StatusPlanned
	JobID       string
	JobState    string
	Attempts    int    // creates sent for the request (lookups by Name not counted)
	Reason      string // why it was skipped: "state" or "service"
	// Attempt is the request's batch job attempt this result is about: 1 for its own, N
	// for the attempt run --rerun sent as "<name>-a<N>" (plan.AttemptName).
	Attempt   int
	Code      string // failure: the service's error code, if any
	Message   string // failure: the message
	RequestID string // the RequestId of the last answer, if any
	Err       error  // failure: the last error
}

// resultFor starts a Result for r.
func resultFor(r *plan.Request, status Outcome) Result {
	return Result{Plan: r.Plan, Job: r.Job, Name: r.Name, Seq: r.Seq, Bucket: r.Bucket,
		Region: r.Region, Type: r.Type, InputKind: r.InputKind, Input: r.InputValue,
		Workflow: r.Workflow, WindowStart: r.Start, WindowEnd: r.End, Status: status, Attempt: attemptOf(r.Name)}
}

// attemptOf is the attempt a Name carries (see plan.SplitAttempt).
func attemptOf(name string) int {
	_, a := plan.SplitAttempt(name)
	return a
}

// RequestError is a failed request, as aggregated into the error returned by Run.
type RequestError struct {
	Plan, Job, Name string
	Code, Message   string
	RequestID       string
	Attempts        int
	Err             error
}

// Error names the request and why it failed.
func (e *RequestError) Error() string {
	s := fmt.Sprintf("%s/%s: request %s failed after %d attempt(s)", e.Plan, e.Job, e.Name, e.Attempts)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the last API error, for errors.As(err, **ciapi.APIError).
func (e *RequestError) Unwrap() error { return e.Err }
