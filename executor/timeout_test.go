package executor

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
)

// slowLists holds back the answer of the first n list calls for hold (or until the client
// gives up), so they end by the request timeout.
type slowLists struct {
	next http.Handler
	n    atomic.Int64
	hold time.Duration
}

func (h *slowLists) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && h.n.Add(-1) >= 0 {
		select {
		case <-time.After(h.hold):
		case <-r.Context().Done():
			return
		}
	}
	h.next.ServeHTTP(w, r)
}

// A list or lookup slower than the request timeout is a timeout like any other: retried,
// not a permanent failure of the request (lookup) or of the whole plan (sweep).
func TestRunRetriesCallsThatTimeOut(t *testing.T) {
	for _, tc := range []struct {
		name      string
		threshold int
	}{{"sweep", -1}, {"lookup", DefaultLookupThreshold}} {
		t.Run(tc.name, func(t *testing.T) {
			emu := emulator.New(emulator.Options{})
			slow := &slowLists{next: emu, hold: 2 * time.Second}
			slow.n.Store(3)
			srv := httptest.NewServer(slow)
			t.Cleanup(srv.Close)
			client := testenv.Client(t, srv.URL)
			p := testenv.Hourly("slow-"+tc.name, 5, 1).Parse(t)
			opts := quick()
			opts.RequestTimeout = 200 * time.Millisecond
			opts.LookupThreshold = tc.threshold
			sum, err := Run(background(t), client, openStore(t, ""), []*plan.Plan{p}, opts)
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			if sum.Total.Triggered != 6 {
				t.Fatalf("summary %+v", sum.Total)
			}
			if slow.n.Load() >= 0 {
				t.Fatalf("the slow answers were not exercised")
			}
			seen := map[string]int{}
			for _, j := range emu.Jobs() {
				if seen[j.Name]++; seen[j.Name] > 1 {
					t.Errorf("%s created twice", j.Name)
				}
			}
		})
	}
}
