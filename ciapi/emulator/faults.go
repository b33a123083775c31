package emulator

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"time"
)

// roll reports true with probability p.
func (s *Server) roll(p float64) bool {
	if p <= 0 {
		return false
	}
	if p >= 1 {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rng.Float64() < p
}

func (s *Server) countFault(kind string) {
	s.stats.add(func(st *Stats) { st.Faults[kind]++ })
}

// injectBefore applies the faults that act before anything is done: reset, 500, 429 and
// the QPS limit (503 SlowDown).
func (s *Server) injectBefore(f Faults) (reply, bool) {
	retryAfter := f.RetryAfter
	if retryAfter == "" {
		retryAfter = "1"
	}
	switch {
	case s.roll(f.ResetRate):
		s.countFault(FaultReset)
		return reply{drop: true}, true
	case s.roll(f.ErrorRate):
		s.countFault(FaultError)
		return reply{err: errorf(http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.")}, true
	case s.roll(f.TooManyRate):
		s.countFault(FaultTooMany)
		e := errorf(http.StatusTooManyRequests, "TooManyRequests", "Too many requests; please slow down.")
		e.retryAfter = retryAfter
		return reply{err: e}, true
	}
	if wait, ok := s.admit(f.QPS, time.Now()); !ok {
		s.countFault(FaultSlowDown)
		e := errorf(http.StatusServiceUnavailable, "SlowDown", "Please reduce your request rate.")
		e.retryAfter = f.RetryAfter
		if e.retryAfter == "" {
			e.retryAfter = strconv.Itoa(max(1, int(math.Ceil(wait.Seconds()))))
		}
		return reply{err: e}, true
	}
	return reply{}, false
}

// admit applies the QPS limit: a request is admitted when fewer than qps requests were
// admitted within the last second; otherwise it returns how long until a slot frees.
func (s *Server) admit(qps float64, now time.Time) (time.Duration, bool) {
	if qps <= 0 {
		return 0, true
	}
	s.throttleMu.Lock()
	defer s.throttleMu.Unlock()
	cut := 0
	for cut < len(s.recentStarts) && now.Sub(s.recentStarts[cut]) >= time.Second {
		cut++
	}
	s.recentStarts = s.recentStarts[cut:]
	if float64(len(s.recentStarts)) >= qps {
		return time.Second - now.Sub(s.recentStarts[0]), false
	}
	s.recentStarts = append(s.recentStarts, now)
	return 0, true
}

// dropConnection closes the client connection without an answer, with a TCP reset when
// possible.
func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// FaultEmptyAnswer is the Stats.Faults key of a create answered 200 with an empty body
// after the job was made (Faults.EmptyAnswerRate).
const FaultEmptyAnswer = "empty-answer"

// FaultQueueSaturated is the Stats.Faults key of a create refused because the bucket held
// Options.QueueLimit unfinished jobs.
const FaultQueueSaturated = "queue-saturated"
