package follow

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/internal/testenv"
	_ "github.com/planrun/planrun/internal/testflag" // accepts -update
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/state"
)

// The bucket and region of testenv's plans.
const (
	testBucket = testenv.Bucket
	testRegion = testenv.Region
)

// names returns the request names of p in expansion order.
func names(p *plan.Plan) []string {
	var out []string
	for r := range p.Requests() {
		out = append(out, r.Name)
	}
	return out
}

// openStore opens a fresh state file in a temp dir.
func openStore(t *testing.T, path string) *state.Store {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "state", "state.db")
	}
	s, err := state.Open(path)
	if err != nil {
		t.Fatalf("open state: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// quick are options that keep tests fast.
func quick() executor.Options {
	return executor.Options{Parallel: 4, BackoffBase: 5 * time.Millisecond, BackoffCap: 50 * time.Millisecond,
		RequestTimeout: 3 * time.Second, PollInterval: 10 * time.Millisecond, SettleDelay: 20 * time.Millisecond,
		SettleWindow: 100 * time.Millisecond}
}

// background is a context for tests.
func background(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// countJobs counts the jobs ws follows.
func countJobs(t *testing.T, ws *executor.WaitSummary) int {
	t.Helper()
	n := 0
	for _, err := range ws.Jobs(background(t)) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}

// calls counts the API calls the emulator received.
func calls(s emulator.Stats) int {
	n := 0
	for _, c := range s.Calls {
		n += c
	}
	return n
}
