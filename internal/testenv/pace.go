package testenv

import (
	"slices"
	"testing"
	"time"
)

// CheckPaced fails tb unless the calls that arrived at at (any order) kept to a limiter of
// qps calls a second after a burst, counted from start, when the limiter held at most its
// burst: by any time d after start at most burst + qps*d calls can have gone, so the k-th
// arrival is no sooner than (k-burst)/qps seconds after start. Delays (a loaded machine)
// only make calls arrive later, so the check cannot flake as counts of arrivals within a
// second do (a stall bunches the calls released on both sides of it); a missing or loose
// limiter breaks it at once. One millisecond covers the limiter's float arithmetic.
func CheckPaced(tb testing.TB, what string, start time.Time, at []time.Time, qps float64, burst int) {
	tb.Helper()
	at = slices.SortedFunc(slices.Values(at), time.Time.Compare)
	for i, a := range at {
		k := i + 1
		earliest := time.Duration(float64(k-burst)/qps*float64(time.Second)) - time.Millisecond
		if after := a.Sub(start); after < earliest {
			tb.Errorf("%s: call %d arrived %v after the start, before %v: more than %d + %g a second",
				what, k, after.Round(time.Millisecond), earliest.Round(time.Millisecond), burst, qps)
			return
		}
	}
}
