package executor

import (
	"context"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
	"github.com/planrun/planrun/state"
)

// rerunEnv is an emulator whose batch jobs run for an hour of a clock the test moves, and
// end Failed half the time.
type rerunEnv struct {
	emu    *emulator.Running
	client *ciapi.Client
	clock  *manualClock
	p      *plan.Plan
}

func newRerunEnv(t *testing.T, n int) *rerunEnv {
	t.Helper()
	clock := &manualClock{t: time.Now()}
	emu, client := startEmulator(t, emulator.Options{Clock: clock.now, RunningFor: time.Hour, MaxSkew: 48 * time.Hour,
		FailRate: 0.5, Seed: 7})
	return &rerunEnv{emu: emu, client: client, clock: clock, p: hourlyPlan(t, "rerun", n, 1)}
}

// creates counts the batch jobs of each Name on the emulator, and their states.
func (r *rerunEnv) creates() (count map[string]int, states map[string]string) {
	count, states = map[string]int{}, map[string]string{}
	for _, j := range r.emu.Server.Jobs() {
		count[j.Name]++
		states[j.Name] = j.State
	}
	return count, states
}

// rerun runs the plan with --rerun sel from store.
func (r *rerunEnv) rerun(t *testing.T, store *state.Store, sel Rerun) *Summary {
	t.Helper()
	set, err := Reruns(background(t), r.client, store, []*plan.Plan{r.p}, sel, true, quick())
	if err != nil {
		t.Fatalf("reruns: %v", err)
	}
	sum, err := Run(background(t), r.client, store, set.Plans, quick())
	if err != nil {
		t.Fatalf("run --rerun: %v", err)
	}
	if sum.Total.Triggered != set.Again {
		t.Errorf("run --rerun triggered %d, the set said %d would be sent again", sum.Total.Triggered, set.Again)
	}
	return sum
}

// endedIn returns the request Names whose latest attempt (by the emulator) is in state.
func (r *rerunEnv) endedIn(state string) map[string]int {
	_, states := r.creates()
	out := map[string]int{}
	for _, name := range names(r.p) {
		a := 1
		for states[plan.AttemptName(name, a+1)] != "" {
			a++
		}
		if states[plan.AttemptName(name, a)] == state {
			out[name] = a
		}
	}
	return out
}

// checkOnce fails unless every Name was created once, and the attempts want (request
// Name -> attempt) and no other exist beyond the requests' own.
func (r *rerunEnv) checkOnce(t *testing.T, want map[string]int) {
	t.Helper()
	count, _ := r.creates()
	attempts := 0
	for name, n := range count {
		if n != 1 {
			t.Errorf("%s created %d times", name, n)
		}
		if _, a := request.SplitAttempt(name); a > 1 {
			attempts++
		}
	}
	total := 0
	for name, a := range want {
		total += a - 1
		for k := 2; k <= a; k++ {
			if count[plan.AttemptName(name, k)] != 1 {
				t.Errorf("attempt %d of %s not created", k, name)
			}
		}
	}
	if attempts != total {
		t.Errorf("%d attempts on the service, want %d", attempts, total)
	}
}

func TestRerunFailedSendsEachFailedRequestOnceAsTheNextAttempt(t *testing.T) {
	r := newRerunEnv(t, 12)
	store := openStore(t, "")
	if _, err := Run(background(t), r.client, store, []*plan.Plan{r.p}, quick()); err != nil {
		t.Fatal(err)
	}
	r.clock.advance(2 * time.Hour) // every batch job ends, half of them Failed
	failed := r.endedIn(ciapi.StateFailed)
	if len(failed) == 0 || len(failed) == r.p.Count() {
		t.Fatalf("%d of %d failed: the test needs some of each", len(failed), r.p.Count())
	}
	want := map[string]int{}
	for name := range failed {
		want[name] = 2
	}
	sum := r.rerun(t, store, Rerun{Failed: true})
	if sum.Total.Triggered != len(failed) || sum.Total.Skipped != r.p.Count()-len(failed) {
		t.Fatalf("run --rerun failed: %+v, want %d triggered", sum.Total, len(failed))
	}
	r.checkOnce(t, want)
	// status --refresh (and run --wait) follow each request's latest attempt.
	ws, err := refreshFn(background(t), r.client, store, []*plan.Plan{r.p}, quick())
	if err != nil || ws.States[ciapi.StateRunning] != len(failed) || ws.FailedCount() != 0 {
		t.Errorf("refresh after the rerun: %v, %v; want %d Running, none failed", ws.States, err, len(failed))
	}

	// Attempt 2 is running: the same command sends nothing, from this state or a fresh one.
	if sum := r.rerun(t, store, Rerun{Failed: true}); sum.Total.Triggered != 0 {
		t.Fatalf("second run --rerun failed triggered %d", sum.Total.Triggered)
	}
	if sum := r.rerun(t, openStore(t, ""), Rerun{Failed: true, Cancelled: true}); sum.Total.Triggered != 0 {
		t.Fatalf("run --rerun failed from a fresh state triggered %d", sum.Total.Triggered)
	}
	r.checkOnce(t, want)

	// Attempt 2 ends; those that failed again become attempt 3, found from a fresh state.
	r.clock.advance(2 * time.Hour)
	again := r.endedIn(ciapi.StateFailed)
	for name, a := range again {
		want[name] = a + 1
	}
	fresh := openStore(t, "")
	if sum := r.rerun(t, fresh, Rerun{Failed: true}); sum.Total.Triggered != len(again) {
		t.Fatalf("third run --rerun failed (fresh state) triggered %d, want %d", sum.Total.Triggered, len(again))
	}
	r.checkOnce(t, want)
	// The first state catches up by the service: nothing more is sent.
	if sum := r.rerun(t, store, Rerun{Failed: true}); sum.Total.Triggered != 0 {
		t.Fatalf("run --rerun failed from the first state after a fresh one triggered %d", sum.Total.Triggered)
	}
	r.checkOnce(t, want)
}

func TestRerunCancelledAndCancelReachesAttempts(t *testing.T) {
	r := newRerunEnv(t, 6)
	store := openStore(t, "")
	if _, err := Run(background(t), r.client, store, []*plan.Plan{r.p}, quick()); err != nil {
		t.Fatal(err)
	}
	if err := cancelFn(background(t), r.client, store, []*plan.Plan{r.p}, quick()); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	if sum := r.rerun(t, store, Rerun{Failed: true}); sum.Total.Triggered != 0 {
		t.Fatalf("run --rerun failed after a cancel triggered %d", sum.Total.Triggered)
	}
	sum := r.rerun(t, store, Rerun{Cancelled: true})
	if sum.Total.Triggered != r.p.Count() {
		t.Fatalf("run --rerun cancelled: %+v, want %d triggered", sum.Total, r.p.Count())
	}
	want := map[string]int{}
	for _, name := range names(r.p) {
		want[name] = 2
	}
	r.checkOnce(t, want)

	// cancel reaches the attempts, from the state and from a fresh one by Name.
	for _, st := range []*state.Store{openStore(t, ""), store} {
		if err := cancelFn(background(t), r.client, st, []*plan.Plan{r.p}, quick()); err != nil {
			t.Fatalf("cancel: %v", err)
		}
	}
	_, states := r.creates()
	for _, name := range names(r.p) {
		if s := states[plan.AttemptName(name, 2)]; s != ciapi.StateCancel {
			t.Errorf("attempt 2 of %s is %s after cancel, want Cancel", name, s)
		}
	}
}

func TestRerunAfterACrashBetweenRecordingAndSendingSendsOnce(t *testing.T) {
	r := newRerunEnv(t, 8)
	store := openStore(t, "")
	if _, err := Run(background(t), r.client, store, []*plan.Plan{r.p}, quick()); err != nil {
		t.Fatal(err)
	}
	r.clock.advance(2 * time.Hour)
	failed := r.endedIn(ciapi.StateFailed)
	if len(failed) == 0 {
		t.Fatal("the test needs failed batch jobs")
	}
	// A run --rerun that died after recording its intents, before any create: the rows
	// of attempt 2 are "sending", long enough ago to have settled.
	set, err := Reruns(background(t), r.client, store, []*plan.Plan{r.p}, Rerun{Failed: true}, true, quick())
	if err != nil {
		t.Fatal(err)
	}
	var intents []Record
	for req := range set.Plans[0].Requests() {
		if _, a := request.SplitAttempt(req.Name); a == 2 {
			intents = append(intents, recordFor(&req, request.Sending))
		}
	}
	if len(intents) != len(failed) {
		t.Fatalf("%d attempts derived, want %d", len(intents), len(failed))
	}
	if err := store.Sync(context.Background(), &state.Write{Records: intents}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(150 * time.Millisecond) // the settle window of quick()
	if sum := r.rerun(t, store, Rerun{Failed: true}); sum.Total.Triggered != len(failed) {
		t.Fatalf("run --rerun after the crash triggered %d, want %d", sum.Total.Triggered, len(failed))
	}
	want := map[string]int{}
	for name := range failed {
		want[name] = 2
	}
	r.checkOnce(t, want)
	if sum := r.rerun(t, store, Rerun{Failed: true}); sum.Total.Triggered != 0 {
		t.Fatalf("run --rerun again triggered %d", sum.Total.Triggered)
	}
	r.checkOnce(t, want)
}

func TestRerunPreviewMarksTheAttemptsToSend(t *testing.T) {
	r := newRerunEnv(t, 6)
	store := openStore(t, "")
	if _, err := Run(background(t), r.client, store, []*plan.Plan{r.p}, quick()); err != nil {
		t.Fatal(err)
	}
	r.clock.advance(2 * time.Hour)
	failed := r.endedIn(ciapi.StateFailed)
	// A dry run: the service only listed, the state only read.
	set, err := Reruns(background(t), r.client, store, []*plan.Plan{r.p}, Rerun{Failed: true}, false, quick())
	if err != nil {
		t.Fatal(err)
	}
	known, err := KnowDone(background(t), r.client, store, set.Plans, quick())
	if err != nil {
		t.Fatal(err)
	}
	reruns := 0
	for req := range set.Plans[0].Requests() {
		action, _, err := known.Action(&req)
		if err != nil {
			t.Fatal(err)
		}
		base, a := request.SplitAttempt(req.Name)
		switch {
		case action == ActionRerun && a == 2 && failed[base] == 1:
			reruns++
		case action == ActionSkip && a == 1 && failed[base] == 0:
		default:
			t.Errorf("%s: %s", req.Name, action)
		}
	}
	if reruns != len(failed) || set.Again != len(failed) || len(known.Stale()) != 0 {
		t.Errorf("%d reruns (set: %d), %d stale; want %d reruns, no stale", reruns, set.Again, len(known.Stale()), len(failed))
	}
	if count, _ := r.creates(); len(count) != r.p.Count() {
		t.Errorf("a dry run created batch jobs: %d", len(count)-r.p.Count())
	}
}
