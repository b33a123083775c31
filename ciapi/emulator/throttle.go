package emulator

import (
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FaultThrottle is the Stats.Faults key of requests refused by the Throttle (its limit
// or its random refusals).
const FaultThrottle = "throttle"

// Shapes of a Throttle's limit: how a service counts the requests it lets through.
const (
	// ShapeBucket is a token bucket of Burst tokens refilled at QPS a second.
	ShapeBucket = "bucket"
	// ShapeFixed lets QPS*Window requests through in each calendar window (each whole
	// second, for the default Window), counted from the Unix epoch.
	ShapeFixed = "fixed"
	// ShapeSliding lets a request through when fewer than QPS*Window passed within the
	// Window before it.
	ShapeSliding = "sliding"
)

// Throttle is a request-rate limit as a service enforces it, across all operations and in
// real time. A refused request is answered Status with Code SlowDown, with Retry-After
// (the whole seconds until the limit would let it through, at least 1) only when
// RetryAfter is set, so that by default a client must find the rate by itself. Unlike
// Faults.ErrorRate and TooManyRate, whether a request is refused by the limit depends only
// on the rate the client sends at; Random adds refusals that do not.
type Throttle struct {
	// QPS is the sustained rate allowed; zero or less turns the limit off.
	QPS float64
	// Shape is ShapeBucket (when empty), ShapeFixed or ShapeSliding.
	Shape string
	// Burst is the bucket's size; zero means max(1, QPS/10) (a tenth of a second's worth).
	Burst float64
	// Window is the span of ShapeFixed and ShapeSliding; zero means one second.
	Window time.Duration
	// Status is the HTTP status of a refusal: 503 when zero, or 429.
	Status int
	// RetryAfter adds a Retry-After header to every refusal.
	RetryAfter bool
	// Random is the share of requests refused at random, whatever the rate, as a service
	// under load elsewhere does.
	Random float64
}

// ParseThrottle reads a throttle written as comma-separated settings, the form of a
// --throttle flag: the rate first, then any of shape=bucket|fixed|sliding, burst=N,
// window=DURATION, status=429|503, retry-after, random=SHARE. For example
// "40,shape=fixed,status=429,retry-after" or "40,burst=400,random=0.05". An empty string
// is no throttle.
func ParseThrottle(s string) (Throttle, error) {
	var t Throttle
	if strings.TrimSpace(s) == "" {
		return t, nil
	}
	parts := strings.Split(s, ",")
	q, err := strconv.ParseFloat(strings.TrimSpace(parts[0]), 64)
	if err != nil || q <= 0 || math.IsInf(q, 0) {
		return Throttle{}, fmt.Errorf("throttle %q: want a rate > 0 first", s)
	}
	t.QPS = q
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		var err error
		switch k {
		case "shape":
			t.Shape = v
			if v != ShapeBucket && v != ShapeFixed && v != ShapeSliding {
				err = fmt.Errorf("shape %q is not bucket, fixed or sliding", v)
			}
		case "burst":
			t.Burst, err = strconv.ParseFloat(v, 64)
		case "window":
			t.Window, err = time.ParseDuration(v)
		case "status":
			t.Status, err = strconv.Atoi(v)
			if err == nil && t.Status != http.StatusTooManyRequests && t.Status != http.StatusServiceUnavailable {
				err = fmt.Errorf("status %d is not 429 or 503", t.Status)
			}
		case "retry-after":
			t.RetryAfter = true
		case "random":
			t.Random, err = strconv.ParseFloat(v, 64)
			if err == nil && (t.Random < 0 || t.Random > 1) {
				err = fmt.Errorf("random %v is not a share between 0 and 1", t.Random)
			}
		default:
			err = fmt.Errorf("unknown setting %q", k)
		}
		if err != nil {
			return Throttle{}, fmt.Errorf("throttle %q: %w", s, err)
		}
	}
	return t, nil
}

// String writes t as ParseThrottle reads it.
func (t Throttle) String() string {
	if t.QPS <= 0 {
		return ""
	}
	s := strconv.FormatFloat(t.QPS, 'g', -1, 64)
	if t.Shape != "" {
		s += ",shape=" + t.Shape
	}
	if t.Burst > 0 {
		s += ",burst=" + strconv.FormatFloat(t.Burst, 'g', -1, 64)
	}
	if t.Window > 0 {
		s += ",window=" + t.Window.String()
	}
	if t.Status != 0 {
		s += ",status=" + strconv.Itoa(t.Status)
	}
	if t.RetryAfter {
		s += ",retry-after"
	}
	if t.Random > 0 {
		s += ",random=" + strconv.FormatFloat(t.Random, 'g', -1, 64)
	}
	return s
}

// Set reads v as ParseThrottle does, so that *Throttle is a flag.Value.
func (t *Throttle) Set(v string) error {
	p, err := ParseThrottle(v)
	if err != nil {
		return err
	}
	*t = p
	return nil
}

// throttleState is the state of a Server's Throttle.
type throttleState struct {
	mu     sync.Mutex
	cfg    Throttle
	tokens float64     // ShapeBucket
	last   time.Time   // ShapeBucket: the last refill
	window int64       // ShapeFixed: the current window's number
	count  int         // ShapeFixed: requests let through in it
	passed []time.Time // ShapeSliding: requests let through within the last window
	rng    *rand.Rand  // Random
}

// SetThrottle replaces the Server's throttle; the bucket starts full, the windows empty.
func (s *Server) SetThrottle(t Throttle) {
	s.throttle.mu.Lock()
	defer s.throttle.mu.Unlock()
	if t.Burst <= 0 {
		t.Burst = max(1, t.QPS/10)
	}
	if t.Window <= 0 {
		t.Window = time.Second
	}
	if t.Status == 0 {
		t.Status = http.StatusServiceUnavailable
	}
	if t.Shape == "" {
		t.Shape = ShapeBucket
	}
	ts := &s.throttle
	ts.cfg, ts.tokens, ts.last, ts.window, ts.count, ts.passed = t, t.Burst, time.Time{}, 0, 0, nil
	ts.rng = rand.New(rand.NewPCG(uint64(s.seed), 0x7468726f74746c65))
}

// throttled applies the throttle to a request arriving at now: it takes its share of
// the limit, or returns the refusal.
func (s *Server) throttled(now time.Time) (reply, bool) {
	ts := &s.throttle
	ts.mu.Lock()
	defer ts.mu.Unlock()
	c := ts.cfg
	if c.QPS <= 0 && c.Random <= 0 {
		return reply{}, false
	}
	wait, refused := time.Duration(0), false
	switch {
	case c.Random > 0 && ts.rng.Float64() < c.Random:
		wait, refused = time.Second, true
	case c.QPS <= 0:
	case c.Shape == ShapeFixed:
		wait, refused = ts.fixed(now)
	case c.Shape == ShapeSliding:
		wait, refused = ts.sliding(now)
	default:
		wait, refused = ts.bucket(now)
	}
	if !refused {
		return reply{}, false
	}
	s.countFault(FaultThrottle)
	e := errorf(c.Status, "SlowDown", "Please reduce your request rate.")
	if c.RetryAfter {
		e.retryAfter = strconv.Itoa(max(1, int(math.Ceil(wait.Seconds()))))
	}
	return reply{err: e}, true
}

// bucket takes a token at now, or says how long until one is there.
func (ts *throttleState) bucket(now time.Time) (time.Duration, bool) {
	c := ts.cfg
	if !ts.last.IsZero() {
		ts.tokens = math.Min(c.Burst, ts.tokens+now.Sub(ts.last).Seconds()*c.QPS)
	}
	ts.last = now
	if ts.tokens >= 1 {
		ts.tokens--
		return 0, false
	}
	return time.Duration((1 - ts.tokens) / c.QPS * float64(time.Second)), true
}

// perWindow is how many requests a window lets through.
func (ts *throttleState) perWindow() int {
	return max(1, int(math.Floor(ts.cfg.QPS*ts.cfg.Window.Seconds())))
}

// fixed counts now in its calendar window, or says how long until the next one.
func (ts *throttleState) fixed(now time.Time) (time.Duration, bool) {
	w := ts.cfg.Window
	idx := now.UnixNano() / int64(w)
	if idx != ts.window {
		ts.window, ts.count = idx, 0
	}
	if ts.count >= ts.perWindow() {
		return time.Unix(0, (idx+1)*int64(w)).Sub(now), true
	}
	ts.count++
	return 0, false
}

// sliding counts now among the requests of the last window, or says how long until the
// oldest of them leaves it.
func (ts *throttleState) sliding(now time.Time) (time.Duration, bool) {
	w := ts.cfg.Window
	cut := 0
	for cut < len(ts.passed) && now.Sub(ts.passed[cut]) >= w {
		cut++
	}
	ts.passed = ts.passed[cut:]
	if len(ts.passed) >= ts.perWindow() {
		return w - now.Sub(ts.passed[0]), true
	}
	ts.passed = append(ts.passed, now)
	return 0, false
}
