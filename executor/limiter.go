package executor

import (
	"math"

	"golang.org/x/time/rate"
)

// newLimiter returns the limiter shared by all workers of a run: qps tokens per second with
// a burst of min(parallel, ceil(qps)); qps <= 0 means unlimited. It is waited before every
// API call a run makes (creates, Name lookups and list calls), so --qps bounds all of them.
func newLimiter(qps float64, parallel int) *rate.Limiter {
	if qps <= 0 || math.IsInf(qps, 1) {
		return rate.NewLimiter(rate.Inf, 1)
	}
	burst := min(parallel, int(math.Ceil(qps)))
	if burst < 1 {
		burst = 1
	}
	return rate.NewLimiter(rate.Limit(qps), burst)
}
