package executor

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
)

// countingServer answers every request with answer and counts the requests per method.
type countingServer struct {
	mu    sync.Mutex
	calls map[string]int
}

func newCountingServer(t *testing.T, answer func(w http.ResponseWriter, r *http.Request)) (*countingServer, *ciapi.Client) {
	t.Helper()
	cs := &countingServer{calls: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cs.mu.Lock()
		cs.calls[r.Method]++
		cs.mu.Unlock()
		answer(w, r)
	}))
	t.Cleanup(srv.Close)
	return cs, testenv.Client(t, srv.URL)
}

func (cs *countingServer) count(method string) int {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.calls[method]
}

func internalError(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write([]byte("<Error><Code>InternalError</Code><Message>try again</Message></Error>"))
}

// onePlan is a plan of exactly one request.
func onePlan(t *testing.T) *plan.Plan {
	t.Helper()
	p, err := plan.Parse("one.yaml", []byte(`version: 1
name: one
defaults:
  bucket: `+testBucket+`
  region: `+testRegion+`
  workflow: w7476ff3564ee45b7b490d64bccaba6cc
jobs:
  - name: one
    object: input/a.mp4
`))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// --retries N means at most N+1 tries of any one call, counted at the server: against a
// server that answers 500 to everything, a one-request plan reaches it at most N+1 times
// per call, whether the run looks the name up (fresh state) or sweeps the list.
func TestRetriesBoundTheTriesTheServerSees(t *testing.T) {
	for _, retries := range []int{0, 2} {
		for _, lookup := range []int{0, -1} {
			cs, client := newCountingServer(t, internalError)
			opts := quick()
			opts.Retries, opts.LookupThreshold = retries, lookup
			if retries == 0 {
				opts.Retries = -1 // --retries 0
			}
			sum, err := Run(background(t), client, openStore(t, ""), []*plan.Plan{onePlan(t)}, opts)
			if err == nil || sum.Total.Triggered != 0 {
				t.Fatalf("retries %d: %+v, %v: want a failure", retries, sum.Total, err)
			}
			// A sweep is one list call; a fresh state's lookup path makes two (the probe of
			// jobs made in the last settle window, which failing does not stop the run, then
			// the lookup by name): each is tried at most retries+1 times.
			calls := 1
			if lookup == 0 {
				calls = 2
			}
			if got := cs.count(http.MethodGet); got > calls*(retries+1) || got < calls {
				t.Errorf("retries %d, lookup threshold %d: the list reached the server %d times, want %d..%d",
					retries, lookup, got, calls, calls*(retries+1))
			}
			if got := cs.count(http.MethodPost); got != 0 {
				t.Errorf("retries %d: %d creates sent without a reconciliation", retries, got)
			}
		}
	}
}

// A create answered 500 is tried at most N+1 times; each try is looked up before the next
// (each lookup is one list call, answered at once).
func TestRetriesBoundTheCreatesTheServerSees(t *testing.T) {
	for _, retries := range []int{0, 2} {
		cs, client := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet {
				w.Header().Set("Content-Type", "application/xml")
				_, _ = w.Write([]byte("<Response><RequestId>r</RequestId></Response>"))
				return
			}
			internalError(w, r)
		})
		opts := quick()
		opts.Retries = retries
		if retries == 0 {
			opts.Retries = -1
		}
		sum, _ := Run(background(t), client, openStore(t, ""), []*plan.Plan{onePlan(t)}, opts)
		if sum.Total.Failed != 1 {
			t.Fatalf("retries %d: %+v, want 1 failed", retries, sum.Total)
		}
		if got := cs.count(http.MethodPost); got != retries+1 {
			t.Errorf("retries %d: %d creates reached the server, want %d", retries, got, retries+1)
		}
		// A fresh state first lists the jobs made within the settle window (one call), then
		// looks the Name up before each create and once after the last.
		if got, creates := cs.count(http.MethodGet), cs.count(http.MethodPost); got != creates+2 {
			t.Errorf("retries %d: %d list calls for %d creates, want a probe, one lookup before each create and one after the last",
				retries, got, creates)
		}
	}
}
