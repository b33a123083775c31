package executor

import (
	"testing"
	"time"
)

// The rate (and the ETA from it) appears once a second has passed: before, a burst of the
// first calls read as a pace above the limit.
func TestProgressRateWaitsForASecond(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := t0
	m := newMeter(nil, func() time.Time { return now }, nil)
	m.planned.Store(100)
	m.triggered.Store(10)
	now = t0.Add(200 * time.Millisecond)
	if p := m.snapshot(); p.Rate != 0 || p.ETA != 0 {
		t.Errorf("after 0.2 s: rate %.1f/s, ETA %v; want neither yet", p.Rate, p.ETA)
	}
	m.triggered.Store(20)
	now = t0.Add(2 * time.Second)
	if p := m.snapshot(); p.Rate != 10 || p.ETA != 8*time.Second {
		t.Errorf("after 2 s: rate %.1f/s, ETA %v; want 10/s and 8s", p.Rate, p.ETA)
	}
}
