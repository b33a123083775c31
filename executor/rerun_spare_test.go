package executor

import (
	"context"
	"testing"

	"github.com/planrun/planrun/plan"
)

// Rerun.Spare leaves the batch jobs it names Cancel (the user's cancels, for the
// --max-attempts loop) and is asked only about batch jobs that ended Cancel; the others
// are sent again as usual.
func TestRerunSparesTheCancelsItIsTold(t *testing.T) {
	r := newRerunEnv(t, 6)
	store := openStore(t, "")
	if _, err := Run(background(t), r.client, store, []*plan.Plan{r.p}, quick()); err != nil {
		t.Fatal(err)
	}
	if err := cancelFn(background(t), r.client, store, []*plan.Plan{r.p}, quick()); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	jobOf := map[string]string{}
	for _, j := range r.emu.Server.Jobs() {
		jobOf[j.Name] = j.ID
	}
	spared, asked := map[string]bool{}, 0
	nameOf := map[string]string{}
	i := 0
	for name, id := range jobOf {
		if i%2 == 0 {
			spared[name] = true
		}
		nameOf[id] = name
		i++
	}
	sel := Rerun{Failed: true, Cancelled: true, Spare: func(_ context.Context, jobID string) (bool, error) {
		asked++
		if nameOf[jobID] == "" {
			t.Errorf("Spare asked about job %s, not one of the plan's", jobID)
		}
		return spared[nameOf[jobID]], nil
	}}
	sum := r.rerun(t, store, sel)
	if asked != len(jobOf) || sum.Total.Triggered != len(jobOf)-len(spared) {
		t.Fatalf("asked %d times, triggered %d; want %d and %d", asked, sum.Total.Triggered, len(jobOf), len(jobOf)-len(spared))
	}
	count, _ := r.creates()
	for name := range jobOf {
		want := 1
		if spared[name] {
			want = 0
		}
		if count[plan.AttemptName(name, 2)] != want {
			t.Errorf("%s: attempt 2 created %d times, want %d", name, count[plan.AttemptName(name, 2)], want)
		}
	}
	// Attempt 2 runs: asked about nothing else, nothing more is sent.
	asked = 0
	if sum := r.rerun(t, store, sel); sum.Total.Triggered != 0 || asked != len(spared) {
		t.Errorf("again: triggered %d, asked %d times; want 0 and %d (the spared ones, still Cancel)", sum.Total.Triggered, asked, len(spared))
	}
}
