package ciapi

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ErrNotFound reports that the job (or the job with a given name) does not exist: a 404,
// or a describe answered with NonExistJobIds and no JobsDetail.
var ErrNotFound = errors.New("job not found")

// APIError is a failed call: either the service answered with an error status (Status,
// Code, Message, RequestID, TraceID, RetryAfter), or the exchange failed in transport
// (Err, with Status 0 when no response arrived). Inspect it with errors.As, or with
// IsRetryable, IsUncertain, IsPermanent and RetryAfterOf.
type APIError struct {
	Op         string // create, describe, list, cancel
	Status     int    // HTTP status; 0 when no response arrived
	Code       string // the service's error code, e.g. SlowDown
	Message    string
	RequestID  string
	TraceID    string
	RetryAfter time.Duration // from the Retry-After header; 0 when absent
	Err        error         // transport or decoding error, if any
	// Sent reports that the request (at least its headers) was written to the connection,
	// so the service may have received it. Always true when Status is not 0.
	Sent bool
}

// Error renders e like "create: 503 SlowDown: Please reduce your request rate (RequestId: abc)".
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString(e.Op)
	b.WriteString(":")
	if e.Status != 0 {
		b.WriteString(" " + strconv.Itoa(e.Status))
		if e.Code != "" {
			b.WriteString(" " + e.Code)
		} else if e.Err == nil && http.StatusText(e.Status) != "" {
			b.WriteString(" " + http.StatusText(e.Status))
		}
	}
	switch {
	case e.Message != "":
		if e.Status == 0 && e.Code == "" {
			b.WriteString(" " + e.Message)
		} else {
			b.WriteString(": " + e.Message)
		}
	case e.Err != nil && e.Status != 0:
		b.WriteString(": " + e.Err.Error())
	case e.Err != nil:
		b.WriteString(" " + e.Err.Error())
	}
	if e.RequestID != "" {
		b.WriteString(" (RequestId: " + e.RequestID + ")")
	}
	return b.String()
}

// Unwrap returns the transport error, if any.
func (e *APIError) Unwrap() error { return e.Err }

// Is makes a 404 match ErrNotFound.
func (e *APIError) Is(target error) bool {
	return target == ErrNotFound && e.Status == http.StatusNotFound && jobOp(e.Op)
}

// jobOp reports whether op addresses one job by id (describe, cancel): only there does a
// 404 mean "no such job". A 404 to a list or a create means the route does not exist: the
// endpoint is wrong.
func jobOp(op string) bool { return op == "describe" || op == "cancel" }
