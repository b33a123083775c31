package emulator

import (
	"net/http"
	"testing"
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
