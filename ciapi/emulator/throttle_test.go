package emulator

import (
	"net/http"
	"slices"
	"testing"
	"time"
)

func TestThrottleRefusesBeyondTheBucket(t *testing.T) {
	for _, status := range []int{0, http.StatusTooManyRequests} {
		rn := start(t, Options{Seed: 5})
		c := faultClient(t, rn)
		// A bucket of 3 that refills once in 1000 s: three creates pass, the next two do not.
		rn.Server.SetThrottle(Throttle{QPS: 0.001, Burst: 3, Status: status})
		want := status
		if want == 0 {
			want = http.StatusServiceUnavailable
		}
		var got []int
		for range 5 {
			st, h, err := tryCreate(c, "x")
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			if st != http.StatusOK && h.Get("Retry-After") != "" {
				t.Errorf("status %d: Retry-After %q, want none", st, h.Get("Retry-After"))
			}
			got = append(got, st)
		}
		if got[0] != 200 || got[1] != 200 || got[2] != 200 || got[3] != want || got[4] != want {
			t.Errorf("status %d: statuses %v, want 3 x 200 then 2 x %d", status, got, want)
		}
		if n := rn.Server.Stats().Faults[FaultThrottle]; n != 2 {
			t.Errorf("status %d: %d throttled, want 2", status, n)
		}
		if n := len(rn.Server.Jobs()); n != 3 {
			t.Errorf("status %d: %d jobs, want 3 (a refused create creates nothing)", status, n)
		}
		// Turned off, it lets everything through.
		rn.Server.SetThrottle(Throttle{})
		if st, _, err := tryCreate(c, "y"); err != nil || st != http.StatusOK {
			t.Errorf("status %d: create without throttle: %d %v", status, st, err)
		}
	}
}

// refusals sends calls at the given offsets (ms from a whole second) through the throttle
// of a fresh Server and returns which were refused, and the Retry-After of the refusals.
func refusals(t *testing.T, th Throttle, ms ...int) (refused []bool, retryAfter []string) {
	t.Helper()
	s := New(Options{Seed: 3})
	s.SetThrottle(th)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, m := range ms {
		rep, no := s.throttled(t0.Add(time.Duration(m) * time.Millisecond))
		refused = append(refused, no)
		if no {
			retryAfter = append(retryAfter, rep.err.retryAfter)
		}
	}
	return refused, retryAfter
}

func TestThrottleShapes(t *testing.T) {
	for _, tc := range []struct {
		name string
		th   Throttle
		ms   []int
		want []bool
	}{
		// A bucket of 2 refilled at 2/s: two at once, the third waits half a second.
		{"bucket", Throttle{QPS: 2, Burst: 2}, []int{0, 0, 0, 500, 600}, []bool{false, false, true, false, true}},
		// Two per calendar second: the count starts again at each whole second.
		{"fixed", Throttle{QPS: 2, Shape: ShapeFixed}, []int{900, 950, 990, 1000, 1010, 1020}, []bool{false, false, true, false, false, true}},
		// Two within any second: the third waits until the first is a second old.
		{"sliding", Throttle{QPS: 2, Shape: ShapeSliding}, []int{900, 950, 1000, 1899, 1900, 1950}, []bool{false, false, true, true, false, false}},
	} {
		got, ra := refusals(t, tc.th, tc.ms...)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: refused %v, want %v", tc.name, got, tc.want)
		}
		for _, r := range ra {
			if r != "" {
				t.Errorf("%s: Retry-After %q without RetryAfter", tc.name, r)
			}
		}
	}
}

func TestThrottleRetryAfter(t *testing.T) {
	// A fixed window refuses until the next second: Retry-After rounds up to 1.
	_, ra := refusals(t, Throttle{QPS: 1, Shape: ShapeFixed, RetryAfter: true}, 100, 200)
	if !slices.Equal(ra, []string{"1"}) {
		t.Errorf("Retry-After %v, want [1]", ra)
	}
	// A bucket refilled at 0.25/s is empty for 4 s after its token.
	_, ra = refusals(t, Throttle{QPS: 0.25, Burst: 1, RetryAfter: true}, 0, 0)
	if !slices.Equal(ra, []string{"4"}) {
		t.Errorf("Retry-After %v, want [4]", ra)
	}
}

func TestThrottleRandom(t *testing.T) {
	// 5% refused at random with no limit: about 50 of 1000, however slowly they come.
	ms := make([]int, 1000)
	for i := range ms {
		ms[i] = 1000 * i
	}
	got, _ := refusals(t, Throttle{Random: 0.05}, ms...)
	n := 0
	for _, r := range got {
		if r {
			n++
		}
	}
	if n < 25 || n > 80 {
		t.Errorf("%d of 1000 refused at random, want about 50", n)
	}
}

func TestParseThrottle(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Throttle
		bad  bool
	}{
		{in: "", want: Throttle{}},
		{in: "40", want: Throttle{QPS: 40}},
		{in: "40,shape=fixed,status=429,retry-after", want: Throttle{QPS: 40, Shape: ShapeFixed, Status: 429, RetryAfter: true}},
		{in: "40, burst=400, random=0.05", want: Throttle{QPS: 40, Burst: 400, Random: 0.05}},
		{in: "60,shape=sliding,window=2s", want: Throttle{QPS: 60, Shape: ShapeSliding, Window: 2 * time.Second}},
		{in: "0", bad: true},
		{in: "x", bad: true},
		{in: "40,shape=leaky", bad: true},
		{in: "40,status=500", bad: true},
		{in: "40,random=2", bad: true},
		{in: "40,colour=red", bad: true},
	} {
		got, err := ParseThrottle(tc.in)
		if tc.bad {
			if err == nil {
				t.Errorf("ParseThrottle(%q) = %+v, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseThrottle(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			continue
		}
		if back, err := ParseThrottle(got.String()); err != nil || back != got {
			t.Errorf("ParseThrottle(%q.String() = %q) = %+v, %v", tc.in, got.String(), back, err)
		}
	}
}
