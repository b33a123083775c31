package ciapi

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"
)

// Backoff parameters of the idempotent calls: full jitter over an exponential ceiling.
const (
	BackoffBase = 200 * time.Millisecond
	BackoffCap  = 10 * time.Second
	// maxRetryAfter bounds how long a Retry-After header can make a call wait.
	maxRetryAfter = 5 * time.Minute
)

// Backoff returns the wait before retry number attempt (0 for the first retry): a
// uniformly random duration in [0, min(BackoffCap, BackoffBase*2^attempt)) ("full
// jitter"), but never less than retryAfter, the wait the service asked for.
func Backoff(attempt int, retryAfter time.Duration) time.Duration {
	ceil := BackoffCap
	if attempt < 16 {
		ceil = min(BackoffCap, BackoffBase<<attempt)
	}
	d := time.Duration(rand.Int64N(int64(ceil)))
	return max(d, min(retryAfter, maxRetryAfter))
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
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
