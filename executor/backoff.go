package executor

import (
	"math/rand/v2"
	"time"
)

// Backoff defaults: exponential with full jitter, base 500ms, capped at 30s.
const (
	backoffBase = 500 * time.Millisecond
	backoffCap  = 30 * time.Second
	// maxRetryAfter bounds how long a server-sent Retry-After can make a worker sleep.
	maxRetryAfter = 5 * time.Minute
)

// backoff returns how long to sleep before retry number attempt (1 for the first retry):
// a uniformly random duration in [0, min(cap, base*2^(attempt-1))] ("full jitter"), but never
// less than the server's Retry-After (itself bounded by maxRetryAfter).
func backoff(attempt int, base, limit, retryAfter time.Duration, rnd func(n int64) int64) time.Duration {
	if base <= 0 {
		base = backoffBase
	}
	if limit <= 0 {
		limit = backoffCap
	}
	ceil := base
	for i := 1; i < attempt && ceil < limit; i++ {
		ceil *= 2
	}
	ceil = min(ceil, limit)
	if rnd == nil {
		rnd = rand.Int64N
	}
	d := time.Duration(rnd(int64(ceil) + 1))
	if retryAfter > 0 {
		d = max(d, min(retryAfter, maxRetryAfter))
	}
	return d
}
