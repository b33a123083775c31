package emulator

import (
	"math"
	"net/http"
	"sync"
	"time"
)

// FaultThrottle is the Stats.Faults key of requests refused by the Throttle.
const FaultThrottle = "throttle"

// Throttle is a request-rate limit as a service enforces it: a token bucket of Burst
// tokens that refills at QPS tokens per second (real time, across all operations). A
// request that finds the bucket empty is refused with Status and Code SlowDown, without
// Retry-After, so a client must find the rate by itself. Unlike Faults.ErrorRate and
// TooManyRate, whether a request is refused depends only on the rate the client sends at.
type Throttle struct {
	// QPS is the sustained rate allowed; zero or less turns the throttle off.
	QPS float64
	// Burst is the bucket's size; zero means max(1, QPS/10) (a tenth of a second's worth).
	Burst float64
	// Status is the HTTP status of a refusal: 503 when zero, or 429.
	Status int
}

// throttleState is the bucket of a Server's Throttle.
type throttleState struct {
	mu     sync.Mutex
	cfg    Throttle
	tokens float64
	last   time.Time
}

// SetThrottle replaces the Server's throttle; the bucket starts full.
func (s *Server) SetThrottle(t Throttle) {
	s.throttle.mu.Lock()
	defer s.throttle.mu.Unlock()
	if t.Burst <= 0 {
		t.Burst = max(1, t.QPS/10)
	}
	if t.Status == 0 {
		t.Status = http.StatusServiceUnavailable
	}
	s.throttle.cfg, s.throttle.tokens, s.throttle.last = t, t.Burst, time.Time{}
}

// throttled takes a token for a request arriving at now, or returns the refusal.
func (s *Server) throttled(now time.Time) (reply, bool) {
	ts := &s.throttle
	ts.mu.Lock()
	defer ts.mu.Unlock()
	c := ts.cfg
	if c.QPS <= 0 {
		return reply{}, false
	}
	if !ts.last.IsZero() {
		ts.tokens = math.Min(c.Burst, ts.tokens+now.Sub(ts.last).Seconds()*c.QPS)
	}
	ts.last = now
	if ts.tokens >= 1 {
		ts.tokens--
		return reply{}, false
	}
	s.countFault(FaultThrottle)
	return reply{err: errorf(c.Status, "SlowDown", "Please reduce your request rate.")}, true
}
