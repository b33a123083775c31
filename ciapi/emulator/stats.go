package emulator

import (
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Operation names used as keys of Stats.Calls and Stats.OK.
const (
	OpCreate   = "create"
	OpDescribe = "describe"
	OpList     = "list"
	OpCancel   = "cancel"
	OpOther    = "other" // a path or method the service does not have
)

// Fault kinds used as keys of Stats.Faults.
const (
	FaultError          = "error"           // 500 before doing anything
	FaultReset          = "reset"           // connection dropped before doing anything
	FaultUncertain500   = "uncertain-500"   // job created, then 500
	FaultUncertainReset = "uncertain-reset" // job created, then connection dropped
	FaultSlowDown       = "slowdown"        // 503 SlowDown above Faults.QPS
	FaultTooMany        = "too-many"        // 429
)

// Stats are counters of the API requests a Server received (the /_emulator/ endpoints are
// not counted). Times are real (wall-clock) times, not Options.Clock.
type Stats struct {
	// Calls counts every request per operation, faulted and refused ones included.
	Calls map[string]int `json:"calls"`
	// OK counts the requests per operation answered with a 2xx status.
	OK map[string]int `json:"ok"`
	// Faults counts the injected faults per kind.
	Faults map[string]int `json:"faults"`
	// AuthFailures counts requests refused by signature verification.
	AuthFailures int `json:"authFailures"`
	// JobsCreated counts the jobs created (uncertain creates included).
	JobsCreated int `json:"jobsCreated"`
	// InFlight is the number of requests being handled now; MaxInFlight the most ever at once.
	InFlight    int `json:"inFlight"`
	MaxInFlight int `json:"maxInFlight"`
	// CreateStarts are the arrival times of every create request, in arrival order.
	CreateStarts []time.Time `json:"createStarts"`
}

// counters is the mutable, locked form of Stats.
type counters struct {
	mu sync.Mutex
	s  Stats
}

func newCounters() *counters {
	return &counters{s: Stats{Calls: map[string]int{}, OK: map[string]int{}, Faults: map[string]int{}}}
}

// begin records the arrival of a request for op and returns the function recording its end.
func (c *counters) begin(op string, now time.Time) (end func(status int)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.s.Calls[op]++
	if op == OpCreate {
		c.s.CreateStarts = append(c.s.CreateStarts, now)
	}
	c.s.InFlight++
	c.s.MaxInFlight = max(c.s.MaxInFlight, c.s.InFlight)
	return func(status int) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.s.InFlight--
		if status >= 200 && status < 300 {
			c.s.OK[op]++
		}
	}
}

func (c *counters) add(f func(*Stats)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(&c.s)
}

func (c *counters) snapshot() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.s
	s.Calls = maps.Clone(c.s.Calls)
	s.OK = maps.Clone(c.s.OK)
	s.Faults = maps.Clone(c.s.Faults)
	s.CreateStarts = slices.Clone(c.s.CreateStarts)
	return s
}

// answerHook ends a request's count as its status is written, not after the handler
// returns, so a client holding the answer finds the call counted and out of flight.
type answerHook struct {
	http.ResponseWriter
	end  func(status int)
	done bool
}

func (a *answerHook) finish(status int) {
	if !a.done {
		a.done = true
		a.end(status)
	}
}

func (a *answerHook) WriteHeader(status int) { a.finish(status); a.ResponseWriter.WriteHeader(status) }
