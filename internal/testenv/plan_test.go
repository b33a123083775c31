package testenv

import (
	"testing"

	_ "github.com/planrun/planrun/internal/testflag" // accepts -update
)

// The generators give the request counts their documents promise, so a test that sizes a
// plan by them (exactly n requests, or n windows and a node job) gets that many.
func TestPlanSizes(t *testing.T) {
	count := func(p Plan) (n int) {
		for range p.Parse(t).Requests() {
			n++
		}
		return n
	}
	for _, n := range []int{12, 13, 20, 41, 150} {
		if got := count(Sized("s", n)); got != n {
			t.Errorf("Sized(%d): %d requests", n, got)
		}
	}
	for _, n := range []int{1, 3, 120} {
		if got := count(Hourly("h", n, 1)); got != n+1 {
			t.Errorf("Hourly(%d): %d requests, want %d", n, got, n+1)
		}
	}
	if got := count(Plan{Name: "bench", Hours: 7}); got != 7 {
		t.Errorf("7 hours alone: %d requests", got)
	}
	if g := Hourly("g", 1, 3).Parse(t).Generation; g != 3 {
		t.Errorf("generation %d, want 3", g)
	}
}
