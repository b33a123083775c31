// Package throttle is a request-rate limit as a service enforces it, in the shapes a
// client meets: a token bucket with a burst, fixed calendar windows, sliding windows, and
// refusals at random whatever the rate. The emulator answers the requests it refuses with
// SlowDown; --qps auto is measured against every shape.
package throttle

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

// Config is a request-rate limit as a service enforces it, across all operations and in
// real time. A refused request is answered Status with Code SlowDown, with Retry-After
// (the whole seconds until the limit would let it through, at least 1) only when
// RetryAfter is set, so that by default a client must find the rate by itself. Unlike
// Faults.ErrorRate and TooManyRate, whether a request is refused by the limit depends only
// on the rate the client sends at; Random adds refusals that do not.
type Config struct {
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

// Parse reads a throttle written as comma-separated settings, the form of a
// --throttle flag: the rate first, then any of shape=bucket|fixed|sliding, burst=N,
// window=DURATION, status=429|503, retry-after, random=SHARE. For example
// "40,shape=fixed,status=429,retry-after" or "40,burst=400,random=0.05". An empty string
// is no throttle.
func Parse(s string) (Config, error) {
	var t Config
	if strings.TrimSpace(s) == "" {
		return t, nil
	}
	parts := strings.Split(s, ",")
	q, err := strconv.ParseFloat(strings.TrimSpace(parts[0]), 64)
	if err != nil || q <= 0 || math.IsInf(q, 0) {
		return Config{}, fmt.Errorf("throttle %q: want a rate > 0 first", s)
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
			return Config{}, fmt.Errorf("throttle %q: %w", s, err)
		}
	}
	return t, nil
}

// String writes t as Parse reads it.
func (t Config) String() string {
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

// Set reads v as Parse does, so that *Config is a flag.Value.
func (t *Config) Set(v string) error {
	p, err := Parse(v)
	if err != nil {
		return err
	}
	*t = p
	return nil
}

// Limiter applies a Config in real time: each request takes its share of the limit or is
// refused with how long until the limit would let it through. Safe for concurrent use.
type Limiter struct {
	mu     sync.Mutex
	cfg    Config
	tokens float64     // ShapeBucket
	last   time.Time   // ShapeBucket: the last refill
	window int64       // ShapeFixed: the current window's number
	count  int         // ShapeFixed: requests let through in it
	passed []time.Time // ShapeSliding: requests let through within the last window
	rng    *rand.Rand  // Random
}

// New returns a Limiter of c, with the defaults of Config filled in: the bucket starts
// full, the windows empty; seed drives the random refusals.
func New(c Config, seed uint64) *Limiter {
	if c.Burst <= 0 {
		c.Burst = max(1, c.QPS/10)
	}
	if c.Window <= 0 {
		c.Window = time.Second
	}
	if c.Status == 0 {
		c.Status = http.StatusServiceUnavailable
	}
	if c.Shape == "" {
		c.Shape = ShapeBucket
	}
	return &Limiter{cfg: c, tokens: c.Burst, rng: rand.New(rand.NewPCG(seed, 0x7468726f74746c65))}
}

// Config is the limit applied, defaults filled in.
func (l *Limiter) Config() Config { return l.cfg }

// Take applies the limit to a request arriving at now: it takes its share, or returns
// refused and how long until the limit would let it through.
func (l *Limiter) Take(now time.Time) (wait time.Duration, refused bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.cfg
	switch {
	case c.QPS <= 0 && c.Random <= 0:
		return 0, false
	case c.Random > 0 && l.rng.Float64() < c.Random:
		return time.Second, true
	case c.QPS <= 0:
		return 0, false
	case c.Shape == ShapeFixed:
		return l.fixed(now)
	case c.Shape == ShapeSliding:
		return l.sliding(now)
	}
	return l.bucket(now)
}

// bucket takes a token at now, or says how long until one is there.
func (l *Limiter) bucket(now time.Time) (time.Duration, bool) {
	c := l.cfg
	if !l.last.IsZero() {
		l.tokens = math.Min(c.Burst, l.tokens+now.Sub(l.last).Seconds()*c.QPS)
	}
	l.last = now
	if l.tokens >= 1 {
		l.tokens--
		return 0, false
	}
	return time.Duration((1 - l.tokens) / c.QPS * float64(time.Second)), true
}

// perWindow is how many requests a window lets through.
func (l *Limiter) perWindow() int {
	return max(1, int(math.Floor(l.cfg.QPS*l.cfg.Window.Seconds())))
}

// fixed counts now in its calendar window, or says how long until the next one.
func (l *Limiter) fixed(now time.Time) (time.Duration, bool) {
	w := l.cfg.Window
	idx := now.UnixNano() / int64(w)
	if idx != l.window {
		l.window, l.count = idx, 0
	}
	if l.count >= l.perWindow() {
		return time.Unix(0, (idx+1)*int64(w)).Sub(now), true
	}
	l.count++
	return 0, false
}

// sliding counts now among the requests of the last window, or says how long until the
// oldest of them leaves it.
func (l *Limiter) sliding(now time.Time) (time.Duration, bool) {
	w := l.cfg.Window
	cut := 0
	for cut < len(l.passed) && now.Sub(l.passed[cut]) >= w {
		cut++
	}
	l.passed = l.passed[cut:]
	if len(l.passed) >= l.perWindow() {
		return w - now.Sub(l.passed[0]), true
	}
	l.passed = append(l.passed, now)
	return 0, false
}
