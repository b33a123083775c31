package pace

import (
	"context"
	"errors"
	"math"
	"net/http"
	"time"

	"golang.org/x/time/rate"

	"github.com/planrun/planrun/ciapi"
)

// Pacer decides when calls may start: a fixed rate (--qps R, see Fixed) or one that
// adapts to the service's answers (--qps auto). The layer waits on it before every try of
// every call and reports each answer to it. Implementations are safe for concurrent use.
type Pacer interface {
	// Wait blocks until one more call may start and returns the instant it was admitted
	// (to be passed back to Observe), or ctx's error.
	Wait(ctx context.Context) (time.Time, error)
	// Observe reports the answer of a call admitted at start: nil for a success, else the
	// call's error.
	Observe(start time.Time, err error)
	// Rate is the current allowance in calls per second; +Inf when unlimited.
	Rate() float64
}

// Fixed is a Pacer of a fixed rate: a token bucket that answers do not change.
type Fixed struct{ l *rate.Limiter }

// NewFixed returns the fixed pace of qps calls per second for parallel slots: a burst of
// min(parallel, ceil(qps)), at least 1; qps <= 0 (or +Inf) means unlimited. So in any
// one second at most qps + burst calls start.
func NewFixed(qps float64, parallel int) *Fixed {
	if qps <= 0 || math.IsInf(qps, 1) || math.IsNaN(qps) {
		return &Fixed{rate.NewLimiter(rate.Inf, 1)}
	}
	burst := max(min(parallel, int(math.Ceil(qps))), 1)
	return &Fixed{rate.NewLimiter(rate.Limit(qps), burst)}
}

// FixedOf adapts a limiter to a Fixed pace.
func FixedOf(l *rate.Limiter) *Fixed { return &Fixed{l} }

// Limiter returns the token bucket of f.
func (f *Fixed) Limiter() *rate.Limiter { return f.l }

// Wait takes one token, waiting for it if needed.
func (f *Fixed) Wait(ctx context.Context) (time.Time, error) {
	if err := f.l.Wait(ctx); err != nil {
		return time.Time{}, err
	}
	return time.Now(), nil
}

// Observe does nothing: a fixed rate ignores the answers.
func (*Fixed) Observe(time.Time, error) {}

// Rate returns the fixed rate, +Inf when unlimited.
func (f *Fixed) Rate() float64 {
	if f.l.Limit() == rate.Inf {
		return math.Inf(1)
	}
	return float64(f.l.Limit())
}

// IsThrottle reports whether err is an answer that asks the client to send more slowly:
// SlowDown (any status), 429, 503, or QueueSaturated. Other failures (500, resets,
// timeouts, 4xx) say nothing about the rate and leave an adaptive pace alone.
func IsThrottle(err error) bool {
	var ae *ciapi.APIError
	if !errors.As(err, &ae) || ae.Status == 0 {
		return false
	}
	return ae.Code == ciapi.CodeSlowDown || ae.Code == ciapi.CodeQueueSaturated ||
		ae.Status == http.StatusTooManyRequests || ae.Status == http.StatusServiceUnavailable
}
