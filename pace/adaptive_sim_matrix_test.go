package pace

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The matrix of throttle shapes --qps auto is held to: every limit from 2/s to 300/s,
// with each shape of limit (token bucket with a burst of the limit or ten times it,
// calendar-second windows, sliding windows), SlowDown as 429 or 503 with or without
// Retry-After, with and without a few percent of calls throttled at random, and three
// clients sharing a limit. simShapes are the shapes the pace was tuned on; the matrix
// holds many it was not.

// matrixLimits are the limits of the matrix, in calls per second.
var matrixLimits = []float64{2, 5, 10, 20, 40, 150, 300}

// matrixKinds are the shapes of limit: a name and the limit of rate l.
var matrixKinds = []struct {
	name  string
	new   func(l float64) simLimit
	burst func(l float64) float64
}{
	{"bucket, burst = limit", func(l float64) simLimit { return newSimBucket(l, l) }, func(l float64) float64 { return l }},
	{"bucket, burst = 10 x limit", func(l float64) simLimit { return newSimBucket(l, 10*l) }, func(l float64) float64 { return 10 * l }},
	{"calendar-second windows", func(l float64) simLimit { return &simFixed{limit: int(l)} }, nil},
	{"sliding 1 s window", func(l float64) simLimit { return &simSliding{limit: int(l)} }, nil},
}

// matrixAnswers are the forms of a throttle: its status and Retry-After.
var matrixAnswers = []struct {
	status     int
	retryAfter time.Duration
}{
	{http.StatusTooManyRequests, 0},
	{http.StatusServiceUnavailable, time.Second},
	{http.StatusServiceUnavailable, 0},
	{http.StatusTooManyRequests, time.Second},
}

// matrixShapes returns every shape of the matrix. Each limit meets every kind of limit;
// the form of the throttle and the share of random throttles (none, 2% or 5%) rotate
// over them, so that every combination of form and noise appears at several limits.
func matrixShapes() []simShape {
	var out []simShape
	noises := []float64{0, 0.02, 0.05}
	i := 0
	for _, l := range matrixLimits {
		for _, k := range matrixKinds {
			for _, noise := range noises {
				a := matrixAnswers[i%len(matrixAnswers)]
				i++
				out = append(out, matrixShape(l, 1, k.name, k.new, k.burst, a.status, a.retryAfter, noise))
			}
		}
	}
	for _, l := range []float64{10, 60, 300} {
		for _, k := range matrixKinds {
			for _, noise := range []float64{0, 0.03} {
				a := matrixAnswers[i%len(matrixAnswers)]
				i++
				out = append(out, matrixShape(l, 3, k.name, k.new, k.burst, a.status, a.retryAfter, noise))
			}
		}
	}
	return out
}

// matrixShape is the shape of limit l and kind name, answered status (with retryAfter),
// with noise random throttles, shared by clients clients.
func matrixShape(l float64, clients int, name string, newLimit func(float64) simLimit, burst func(float64) float64,
	status int, retryAfter time.Duration, noise float64) simShape {
	var b strings.Builder
	if clients > 1 {
		fmt.Fprintf(&b, "%d clients, ", clients)
	}
	fmt.Fprintf(&b, "%g/s %s, %d", l, name, status)
	if retryAfter > 0 {
		fmt.Fprintf(&b, " + Retry-After %s", retryAfter)
	}
	if noise > 0 {
		fmt.Fprintf(&b, ", %g%% random", 100*noise)
	}
	sh := simShape{name: b.String(), limit: l, newLimit: func() simLimit { return newLimit(l) },
		noise: noise, status: status, retryAfter: retryAfter, clients: clients}
	if burst != nil {
		sh.burst = burst(l)
	}
	// Enough workers for the limit at the simulated latency (5 to 25 ms), as a user who
	// wants 300 calls a second sets --parallel.
	if l/float64(clients) > 100 {
		sh.parallel = 32
	}
	return sh
}

// matrixDuration is how long a run of the matrix lasts: a minute, or long enough for
// 1,000 calls at the limit.
func matrixDuration(l float64) time.Duration {
	return max(time.Minute, time.Duration(1000/l*float64(time.Second)))
}

// wholeAchieved is the calls let through per second over the whole run, a bucket's
// initial burst left out.
func (o simOutcome) wholeAchieved(burst float64) float64 {
	n := 0
	for _, p := range o.allPassed {
		n += p
	}
	return max(0, float64(n)-burst) / o.total
}

// wholeSlowest is the calls let through per second of the slowest client, whole run.
func (o simOutcome) wholeSlowest() float64 {
	m := o.allPassed[0]
	for _, p := range o.allPassed {
		m = min(m, p)
	}
	return float64(m) / o.total
}

func (o simOutcome) wholeThrottled() float64 {
	if o.allCalls == 0 {
		return 0
	}
	return float64(o.allThrottled) / float64(o.allCalls)
}

// TestAdaptiveMatrix runs every shape of the matrix over a whole run (its start
// included) and logs its figures: the calls let through per second against the limit (a
// bucket's initial burst left out), the share of calls throttled, and with several
// clients the slowest one's share. The targets (85%, 10%, 70%) are not met on every
// shape (docs/rate.md says which and why); this test fails when a shape collapses below
// the floor the pace holds on all of them today, or when fewer shapes meet them.
func TestAdaptiveMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("108 simulated runs: seconds alone, minutes under -race; TestAdaptiveShapes covers -short")
	}
	shapes := matrixShapes()
	met := make([]bool, len(shapes))
	t.Run("shapes", func(t *testing.T) {
		for i, sh := range shapes {
			t.Run(sh.name, func(t *testing.T) {
				t.Parallel()
				d := matrixDuration(sh.limit)
				o := simulateShape(sh, 1, d/3, d)
				got, thr := o.wholeAchieved(sh.burst)/sh.limit, o.wholeThrottled()
				line := fmt.Sprintf("%-58s whole %4.0fs: %4.0f%% of limit, %4.1f%% throttled; after %2.0fs: %4.0f%%, %4.1f%%",
					sh.name, o.total, 100*got, 100*thr, (d / 3).Seconds(), 100*o.achieved()/sh.limit, 100*o.throttledShare())
				fair := 1.0
				if n := len(o.allPassed); n > 1 {
					fair = o.wholeSlowest() / (sh.limit / float64(n))
					line += fmt.Sprintf("; slowest %3.0f%% of its share", 100*fair)
				}
				met[i] = got >= 0.85 && thr <= 0.10 && fair >= 0.70
				t.Log(line)
				if got < 0.70 || thr > 0.36 || fair < 0.15 {
					t.Errorf("below the floor (70%% of the limit, 36%% throttled, 15%% of a share): %s", line)
				}
			})
		}
	})
	n := 0
	for _, m := range met {
		if m {
			n++
		}
	}
	t.Logf("%d of %d shapes meet every target over the whole run", n, len(shapes))
	// The simulation is seeded: 77 meet them today (docs/rate.md). Fewer is a regression.
	if n < 75 {
		t.Errorf("%d of %d shapes meet every target, want at least 75", n, len(shapes))
	}
}
