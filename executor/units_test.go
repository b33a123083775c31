package executor

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/planrun/planrun/plan"
	"golang.org/x/time/rate"
)

func TestBackoffFullJitterCappedAndRetryAfter(t *testing.T) {
	top := func(n int64) int64 { return n - 1 }
	for attempt, want := range map[int]time.Duration{1: 500 * time.Millisecond, 2: time.Second, 3: 2 * time.Second, 7: 30 * time.Second, 60: 30 * time.Second} {
		if got := backoff(attempt, 0, 0, 0, top); got != want {
			t.Errorf("attempt %d: ceiling %v, want %v", attempt, got, want)
		}
	}
	if got := backoff(3, 0, 0, 0, func(int64) int64 { return 0 }); got != 0 {
		t.Errorf("full jitter reaches 0, got %v", got)
	}
	for range 1000 {
		if d := backoff(2, 0, 0, 0, nil); d < 0 || d > time.Second {
			t.Fatalf("backoff %v outside [0, 1s]", d)
		}
	}
	if got := backoff(1, 0, 0, 3*time.Second, nil); got < 3*time.Second {
		t.Errorf("Retry-After 3s gave %v", got)
	}
	if got := backoff(1, 0, 0, time.Hour, nil); got != maxRetryAfter {
		t.Errorf("Retry-After 1h gave %v, want the %v bound", got, maxRetryAfter)
	}
}

func TestLimiterBurst(t *testing.T) {
	for _, c := range []struct {
		qps      float64
		parallel int
		burst    int
		limit    rate.Limit
	}{{10, 4, 4, 10}, {2.5, 8, 3, 2.5}, {0.5, 8, 1, 0.5}, {0, 8, 1, rate.Inf}} {
		l := newLimiter(c.qps, c.parallel)
		if l.Burst() != c.burst || l.Limit() != c.limit {
			t.Errorf("qps %v parallel %d: burst %d limit %v", c.qps, c.parallel, l.Burst(), l.Limit())
		}
	}
}

func TestCheckLimit(t *testing.T) {
	p := hourlyPlan(t, "lim", 10, 1)
	if err := CheckLimit([]*plan.Plan{p}, 11); err != nil {
		t.Fatalf("11 requests within 11: %v", err)
	}
	err := CheckLimit([]*plan.Plan{p, p}, 20)
	var le *LimitError
	if !errors.As(err, &le) || !errors.Is(err, ErrTooManyRequests) || le.Requests != 22 {
		t.Fatalf("CheckLimit: %v", err)
	}
	if !strings.Contains(err.Error(), "22 requests") || !strings.Contains(err.Error(), "--max-requests 22") {
		t.Fatalf("message %q should give the count and how to raise the limit", err)
	}
}
