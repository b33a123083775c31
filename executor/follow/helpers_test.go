package follow

import (
	"context"
	"testing"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/internal/exectest"
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

// openStore is exectest.Store.
func openStore(t *testing.T, path string) *state.Store { return exectest.Store(t, path) }

// quick is exectest.Quick.
func quick() executor.Options { return exectest.Quick() }

// background is exectest.Context.
func background(t *testing.T) context.Context { return exectest.Context(t) }

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
