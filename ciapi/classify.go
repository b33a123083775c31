package ciapi

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"
)

// Error codes the classification reads (besides the status).
const (
	// CodeSlowDown is the service's throttling code.
	CodeSlowDown = "SlowDown"
	// CodeTooManyRequests is the code of a 429 answer.
	CodeTooManyRequests = "TooManyRequests"
	// CodeQueueSaturated says the processing queue is full (a 403): back-pressure, not a
	// refusal of the configuration; trying later succeeds once the queue drains.
	CodeQueueSaturated = "QueueSaturated"
	// CodeQueuePaused says the processing queue is paused (a 403): nothing is accepted
	// until someone resumes it.
	CodeQueuePaused = "QueuePaused"
)

// stopped marks an error caused by the caller ending the context (cancel or deadline).
type stopped struct{ err error }

func (s *stopped) Error() string { return "stopped: " + s.err.Error() }
func (s *stopped) Unwrap() error { return s.err }

// byCaller reports whether err comes from the caller cancelling the call (or its deadline).
func byCaller(err error) bool {
	var s *stopped
	return errors.As(err, &s) || errors.Is(err, context.Canceled)
}

// IsRetryable reports whether trying the same call again may succeed: a 5xx, SlowDown
// (any status), 429, QueueSaturated (any status: see IsQueueSaturated), a timeout, or a
// connection reset, refused or closed early (EOF). A 2xx whose body is an error (see
// errorShaped: the status says nothing, the Code is all there is) is retryable, as is a
// 2xx to a create whose body names no job (IsUncertain: look it up, then send again). A
// context cancelled (or a deadline set) by the caller is not retryable.
func IsRetryable(err error) bool {
	if err == nil || byCaller(err) {
		return false
	}
	var ae *APIError
	if errors.As(err, &ae) {
		switch {
		case ae.Status/100 == 2 && ae.Err == nil: // an error body
			return ae.Code != CodeQueuePaused
		case ae.Status/100 == 2 && ae.Op == "create": // no job shown
			return true
		}
		if ae.Err != nil {
			return transient(ae.Err)
		}
		return ae.Status >= 500 || ae.Status == http.StatusTooManyRequests || ae.Code == CodeSlowDown ||
			ae.Code == CodeQueueSaturated
	}
	return transient(err)
}

// refusalCode reports whether an error code says, whatever the status it came with, that
// the service did not do what was asked: throttling, or a queue that took nothing.
func refusalCode(code string) bool {
	switch code {
	case CodeSlowDown, CodeTooManyRequests, CodeQueueSaturated, CodeQueuePaused:
		return true
	}
	return false
}

// IsQueueSaturated reports whether the service answered that its processing queue is full
// (Code QueueSaturated, whatever the status): back-pressure, to wait out and try again.
func IsQueueSaturated(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Code == CodeQueueSaturated
}

// IsQueuePaused reports whether the service answered that its processing queue is paused
// (Code QueuePaused): no create succeeds until it is resumed.
func IsQueuePaused(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Code == CodeQueuePaused
}

// IsUncertain reports whether a failed create may nevertheless have created the job, so
// that it must be looked up (by Name) before being sent again: a timeout or a dropped
// connection after the request was sent, a cancellation after sending, a 5xx, or a 2xx
// that does not show the job (its body empty, unreadable, without a job id, or an error
// whose Code is not a refusal). It is false for throttling (SlowDown or QueueSaturated
// with any status, 429: the service did not do it), for any other 4xx, and for errors
// that happened before anything was sent (connection refused, DNS, TLS handshake). A
// create is done only when the service shows its job.
func IsUncertain(err error) bool {
	if err == nil {
		return false
	}
	var ae *APIError
	if errors.As(err, &ae) {
		if ae.Status == 0 {
			return ae.Sent && !neverSent(ae.Err)
		}
		if refusalCode(ae.Code) || ae.Status == http.StatusTooManyRequests {
			return false
		}
		if ae.Status >= 200 && ae.Status < 300 {
			return ae.Err == nil || ae.Op == "create"
		}
		return ae.Status >= 500
	}
	if errors.Is(err, ErrNotFound) {
		return false
	}
	return !neverSent(err)
}

// IsPermanent reports whether err is a definite failure that retrying will not change:
// a 3xx or 4xx other than throttling, a not-found, or a transport error that is neither
// transient nor caused by the caller's context (e.g. a bad certificate).
func IsPermanent(err error) bool {
	return err != nil && !IsRetryable(err) && !byCaller(err) && !errors.Is(err, context.DeadlineExceeded)
}

// RetryAfterOf returns the wait the service asked for with Retry-After, or 0.
func RetryAfterOf(err error) time.Duration {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.RetryAfter
	}
	return 0
}

// transient reports whether a transport error is worth another attempt.
func transient(err error) bool {
	if err == nil || byCaller(err) {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return dns.IsTimeout || dns.IsTemporary
	}
	if certError(err) {
		return false
	}
	for _, e := range []error{io.EOF, io.ErrUnexpectedEOF, syscall.ECONNRESET, syscall.ECONNREFUSED,
		syscall.ECONNABORTED, syscall.EPIPE, syscall.ETIMEDOUT} {
		if errors.Is(err, e) {
			return true
		}
	}
	msg := err.Error()
	for _, s := range []string{"connection reset", "broken pipe", "server closed idle connection",
		"transport connection broken"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// neverSent reports whether a transport error proves the request never left: the
// connection was refused, the name did not resolve, or the TLS handshake failed.
func neverSent(err error) bool {
	var dns *net.DNSError
	return errors.Is(err, syscall.ECONNREFUSED) || errors.As(err, &dns) || certError(err)
}

func certError(err error) bool {
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var ci x509.CertificateInvalidError
	var rh tls.RecordHeaderError
	return errors.As(err, &cv) || errors.As(err, &ua) || errors.As(err, &hn) || errors.As(err, &ci) || errors.As(err, &rh)
}

// IsConfigError reports whether err says that planrun's configuration is wrong, so that
// every other call to the same service would fail the same way: the service refused the
// credentials, the signature or the permission (401, 403 after the one clock correction,
// e.g. AccessDenied), a list or create route answered 404 (the endpoint is not the
// service), or the endpoint's TLS certificate cannot be verified. The error is classified
// by its Code first: a 403 QueueSaturated or QueuePaused is about the queue, not the
// configuration.
func IsConfigError(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) && ae.Code != CodeQueueSaturated && ae.Code != CodeQueuePaused &&
		(ae.Status == http.StatusUnauthorized || ae.Status == http.StatusForbidden ||
			ae.Status == http.StatusNotFound && !jobOp(ae.Op)) {
		return true
	}
	return err != nil && certError(err)
}

// isSkew reports whether an error answer says the signature's time window did not
// contain the service's time: RequestTimeTooSkewed, or a 401/403 whose code or message
// says the signature or request expired or is not yet valid.
func isSkew(e *APIError) bool {
	if e == nil || e.Err != nil || (e.Status != http.StatusUnauthorized && e.Status != http.StatusForbidden) {
		return false
	}
	code, msg := strings.ToLower(e.Code), strings.ToLower(e.Message)
	switch code {
	case "requesttimetooskewed", "signatureexpired", "requestexpired", "signaturenotyetvalid", "requestnotyetvalid":
		return true
	}
	for _, s := range []string{"request has expired", "signature expired", "signature has expired",
		"not yet valid", "time too skewed"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
