package executor

import (
	"fmt"

	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
)

// Result is the outcome of one request of a run: the request (its request.Key) and the
// status the run leaves it in (request.Skipped, request.Triggered, request.Failed, or
// request.Planned when the run did not get to it). The batch job attempt it is about is
// the one its Name carries (Key.Attempt: N for the "<name>-a<N>" of run --rerun).
type Result struct {
	request.Key
	Status    request.Status
	JobID     string
	JobState  string
	Attempts  int    // creates sent for the request (lookups by Name not counted)
	Reason    string // why it was skipped: "state" or "service"
	Code      string // failure: the service's error code, if any
	Message   string // failure: the message
	RequestID string // the RequestId of the last answer, if any
	Err       error  // failure: the last error
}

// resultFor starts a Result for r.
func resultFor(r *plan.Request, status request.Status) Result {
	return Result{Key: r.Key, Status: status}
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
