package pace

import (
	"math/rand/v2"
	"time"
)

// Backoff defaults: exponential with full jitter, base 500ms, capped at 30s.
const (
	DefaultBackoffBase = 500 * time.Millisecond
	DefaultBackoffCap  = 30 * time.Second
	// MaxRetryAfter bounds how long a server-sent Retry-After can make a call wait.
	MaxRetryAfter = 5 * time.Minute
)

// Backoff returns how long to wait before retry number attempt (1 for the first retry):
// a uniformly random duration in [0, min(limit, base*2^(attempt-1))] ("full jitter"), but
// never less than the server's Retry-After (itself bounded by MaxRetryAfter). base and
// limit <= 0 mean the defaults; rnd(n) returns a number in [0, n) (nil: math/rand/v2).
func Backoff(attempt int, base, limit, retryAfter time.Duration, rnd func(n int64) int64) time.Duration {
	if base <= 0 {
		base = DefaultBackoffBase
	}
	if limit <= 0 {
		limit = DefaultBackoffCap
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
		d = max(d, min(retryAfter, MaxRetryAfter))
	}
	return d
}
