package ciapi

import (
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ErrNotFound reports that the job (or the job with a given name) does not exist: a 404,
// or a describe answered with NonExistJobIds and no JobsDetail.
var ErrNotFound = errors.New("job not found")

// ErrUnreachable is matched (errors.Is) by the error of a call whose connection could not
// be opened: refused, or the host name did not resolve. Nothing was sent.
var ErrUnreachable = errors.New("cannot reach the endpoint")

// ErrCertificate is matched (errors.Is) by the error of a call whose TLS handshake failed
// to verify the endpoint's certificate. Nothing was sent.
var ErrCertificate = errors.New("the endpoint's TLS certificate cannot be verified")

// reachError is the transport error of a connection that could not be opened, rendered as
// "cannot reach <scheme://host>: connection refused".
type reachError struct {
	addr string // scheme://host[:port] the connection was for
	err  error
}

func (e *reachError) Error() string {
	reason := "connection refused"
	var dns *net.DNSError
	if errors.As(e.err, &dns) {
		reason = "cannot resolve " + dns.Name
		if dns.IsNotFound {
			reason = "no such host " + dns.Name
		}
	}
	return "cannot reach " + e.addr + ": " + reason
}

func (e *reachError) Unwrap() error { return e.err }

// certErr wraps a certificate failure with the endpoint it was for.
type certErr struct {
	addr string
	err  error
}

func (e *certErr) Error() string {
	return "the TLS certificate of " + e.addr + " cannot be verified: " + e.err.Error()
}

func (e *certErr) Unwrap() error { return e.err }

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

// Is makes a 404 to a describe or cancel match ErrNotFound, a connection that could not
// be opened match ErrUnreachable, and a certificate that cannot be verified ErrCertificate.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.Status == http.StatusNotFound && jobOp(e.Op)
	case ErrUnreachable:
		var re *reachError
		return e.Status == 0 && errors.As(e.Err, &re)
	case ErrCertificate:
		return e.Status == 0 && certError(e.Err)
	}
	return false
}

// jobOp reports whether op addresses one job by id (describe, cancel): only there does a
// 404 mean "no such job". A 404 to a list or a create means the route does not exist: the
// endpoint is wrong.
func jobOp(op string) bool { return op == "describe" || op == "cancel" }

// ReachReason returns, for an error matching ErrUnreachable or ErrCertificate, the one line
// that says what failed, without the steps that led there ("cannot reach
// http://127.0.0.1:9000: connection refused", or "the TLS certificate of <endpoint> cannot
// be verified: ..."); "" for any other error.
func ReachReason(err error) string {
	var re *reachError
	if errors.As(err, &re) {
		return re.Error()
	}
	var ce *certErr
	if errors.As(err, &ce) {
		return ce.Error()
	}
	return ""
}
