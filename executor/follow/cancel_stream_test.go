package follow

import (
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
)

// A plan with more jobs than one list page, some Names made twice (duplicates) and one job
// already cancelled, cancelled from a machine without state through the streaming path
// (the scratch read back a few jobs at a time): every unfinished job gets exactly one
// cancel call and one result, the finished one none.
func TestCancelEachStreamsEveryJobOnce(t *testing.T) {
	defer func(n int) { cancelPageSize = n }(cancelPageSize)
	cancelPageSize = 7
	emu, client := testenv.Start(t, emulator.Options{SubmittedFor: time.Hour})
	p := testenv.Hourly("stream", 3*executor.SweepPageSize/2, 1).Parse(t)
	if _, err := executor.Run(background(t), client, openStore(t, ""), []*plan.Plan{p}, quick()); err != nil {
		t.Fatalf("run: %v", err)
	}
	dupNames, i := 0, 0
	for r := range p.Requests() { // every third Name made again
		if i%3 == 0 {
			if _, err := client.Create(background(t), r.Bucket, r.Region, executor.CreateRequest(&r)); err != nil {
				t.Fatal(err)
			}
			dupNames++
		}
		i++
	}
	jobs := emu.Server.Jobs()
	if len(jobs) <= executor.SweepPageSize || len(jobs) != p.Count()+dupNames {
		t.Fatalf("%d jobs on the emulator, want %d (more than a list page)", len(jobs), p.Count()+dupNames)
	}
	done := jobs[len(jobs)/2]
	if err := client.Cancel(background(t), testBucket, testRegion, done.ID); err != nil {
		t.Fatal(err)
	}
	before := emu.Server.Stats()

	seen := map[string]CancelResult{}
	sum, err := CancelEach(background(t), client, openStore(t, ""), []*plan.Plan{p}, quick(), func(r CancelResult) error {
		if _, ok := seen[r.JobID]; ok {
			t.Errorf("job %s (%s) reported twice", r.JobID, r.Name)
		}
		seen[r.JobID] = r
		return nil
	})
	if err != nil {
		t.Fatalf("cancel: %v", err)
	}
	if len(seen) != len(jobs) || sum.Jobs != len(jobs) {
		t.Fatalf("%d jobs reported (summary %d), want %d", len(seen), sum.Jobs, len(jobs))
	}
	if sum.Cancelled != len(jobs)-1 || sum.Finished != 1 || sum.Failed != 0 || sum.Duplicated != dupNames {
		t.Fatalf("summary %+v, want %d cancelled, 1 finished, %d duplicated names", sum, len(jobs)-1, dupNames)
	}
	if r := seen[done.ID]; r.Outcome != CancelFinished {
		t.Fatalf("the job cancelled before: %+v", r)
	}
	names := map[string]bool{}
	for r := range p.Requests() {
		names[r.Name] = true
	}
	perName := map[string]int{}
	for _, j := range jobs {
		perName[j.Name]++
	}
	for id, r := range seen {
		if !names[r.Name] || r.Job == "" || r.Duplicates != perName[r.Name] || r.Outside {
			t.Fatalf("result of job %s: %+v (%d jobs with its Name)", id, r, perName[r.Name])
		}
	}
	after := emu.Server.Stats()
	if n := after.Calls[emulator.OpCancel] - before.Calls[emulator.OpCancel]; n != len(jobs)-1 {
		t.Fatalf("%d cancel calls, want %d", n, len(jobs)-1)
	}
	if n := after.Calls[emulator.OpList] - before.Calls[emulator.OpList]; n < 2 {
		t.Fatalf("%d list calls: the sweep should need more than one page", n)
	}
	for _, j := range emu.Server.Jobs() {
		if j.State != ciapi.StateCancel {
			t.Fatalf("job %s (%s) is %s", j.Name, j.ID, j.State)
		}
	}
}
