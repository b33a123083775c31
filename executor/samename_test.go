package executor

import (
	"errors"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
)

// two plan files with the same plan name (a copy kept beside the
// original, the same file reached through a symlink) expand to the same request Names.
// Run fed the second plan while the first one's creates were still in flight, so the
// second one's sweep missed them and sent them again. Run now refuses such plans.
func TestTwoPlansWithOneNameTriggerEachRequestOnce(t *testing.T) {
	emu, client := testenv.Start(t, emulator.Options{})
	api := slowCreates{Client: client, delay: 700 * time.Millisecond}
	p, copyOfP := testenv.Hourly("twice", 3, 1).Parse(t), testenv.Hourly("twice", 3, 1).Parse(t)
	opts := quick()
	opts.Parallel, opts.RequestTimeout = 1, time.Second
	opts.LookupThreshold = -1 // sweep, as for a plan of more than 100 requests per bucket
	sum, err := Run(background(t), api, openStore(t, ""), []*plan.Plan{p, copyOfP}, opts)
	if !errors.Is(err, ErrDuplicatePlan) || sum == nil {
		t.Fatalf("run of two plans named alike: %v, want ErrDuplicatePlan and a summary", err)
	}
	if n := len(jobNames(t, emu)); n != 0 {
		t.Errorf("%d jobs created; a refused run sends nothing", n)
	}
}
