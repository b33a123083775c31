package emulator

import (
	"math"
	"strconv"
	"time"

	"github.com/planrun/planrun/ciapi/emulator/throttle"
)

// FaultThrottle is the Stats.Faults key of requests refused by the Throttle (its limit
// or its random refusals).
const FaultThrottle = "throttle"

// Throttle is a request-rate limit as a service enforces it: see throttle.Config.
type Throttle = throttle.Config

// Shapes of a Throttle's limit: see the throttle package.
const (
	ShapeBucket  = throttle.ShapeBucket
	ShapeFixed   = throttle.ShapeFixed
	ShapeSliding = throttle.ShapeSliding
)

// ParseThrottle reads a throttle written as comma-separated settings: see throttle.Parse.
func ParseThrottle(s string) (Throttle, error) { return throttle.Parse(s) }

// SetThrottle replaces the Server's throttle; the bucket starts full, the windows empty.
func (s *Server) SetThrottle(t Throttle) {
	l := throttle.New(t, uint64(s.seed))
	s.throttleMu.Lock()
	s.throttle = l
	s.throttleMu.Unlock()
}

// throttled applies the throttle to a request arriving at now: it takes its share of
// the limit, or returns the refusal.
func (s *Server) throttled(now time.Time) (reply, bool) {
	s.throttleMu.Lock()
	l := s.throttle
	s.throttleMu.Unlock()
	if l == nil {
		return reply{}, false
	}
	wait, refused := l.Take(now)
	if !refused {
		return reply{}, false
	}
	c := l.Config()
	s.countFault(FaultThrottle)
	e := errorf(c.Status, "SlowDown", "Please reduce your request rate.")
	if c.RetryAfter {
		e.retryAfter = strconv.Itoa(max(1, int(math.Ceil(wait.Seconds()))))
	}
	return reply{err: e}, true
}
