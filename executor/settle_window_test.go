package executor

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
	"github.com/planrun/planrun/state"
)

// The derived settle window follows what the runs observed, within its floor and cap.
func TestDeriveWindowFromObservedLatencies(t *testing.T) {
	const timeout = 2 * time.Second
	for _, tc := range []struct {
		name string
		l    state.CreateLatency
		want time.Duration
	}{
		{"nothing observed: the floor", state.CreateLatency{}, settleFloor},
		{"fast creates: the floor", state.CreateLatency{P99: 80 * time.Millisecond}, settleFloor},
		{"slow answered creates: 3 x p99", state.CreateLatency{P99: 3 * time.Second}, 9 * time.Second},
		{"a late job seen: 2 x its latency", state.CreateLatency{P99: time.Second, Late: 7 * time.Second, Unresolved: 4}, 14 * time.Second},
		{"unanswered, none seen: 4 x the timeout", state.CreateLatency{P99: 50 * time.Millisecond, Unresolved: 1}, 4 * timeout},
		{"the earlier run's longer timeout", state.CreateLatency{Unresolved: 1, Timeout: 5 * time.Second}, 20 * time.Second},
		{"capped", state.CreateLatency{Late: time.Hour}, maxSettleWindow},
	} {
		if got := deriveWindow(tc.l, timeout); got != tc.want {
			t.Errorf("%s: window %v, want %v", tc.name, got, tc.want)
		}
	}
}

// The latencies of a run, on a fake clock: the 99th percentile of answered creates (to
// the upper edge of its power-of-two bucket), and how long the job of a create with no
// answer took to appear in a list.
func TestLatenciesMeasureAnsweredAndLateCreates(t *testing.T) {
	l := &latencies{timeout: time.Second}
	for i := range 1000 {
		d := 20 * time.Millisecond
		if i%100 == 0 {
			d = 900 * time.Millisecond // 1%: above the 99th percentile
		}
		l.answered("a", d)
	}
	sent := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l.unanswered("slow", sent)
	l.unanswered("lost", sent)
	l.answered("lost", 10*time.Millisecond) // sent again and answered: no longer unresolved
	if got := l.snapshot(); got.Unresolved != 1 || got.Late != 0 {
		t.Fatalf("before the list: %+v, want 1 unresolved, no late job", got)
	}
	created := sent.Add(2500 * time.Millisecond).In(serviceZone).Format(ciapi.TimeFormat) // whole seconds
	l.seen([]ciapi.JobDetail{{Name: "other", CreationTime: created}, {Name: "slow", CreationTime: created}}, 0)
	got := l.snapshot()
	if got.P99 < 20*time.Millisecond || got.P99 > 40*time.Millisecond {
		t.Errorf("p99 %v, want within [20ms, 40ms] (the bucket of 20ms)", got.P99)
	}
	if got.Late < 2500*time.Millisecond || got.Late > 3500*time.Millisecond {
		t.Errorf("late %v, want 2.5s to 3.5s (the service counts whole seconds)", got.Late)
	}
	if got.Unresolved != 0 || got.Timeout != time.Second {
		t.Errorf("%+v: want nothing unresolved, the timeout kept", got)
	}
}

// A held request comes due from its own create, not from the start of the run that holds
// it: the row's intent (plus the intents committed ahead of a create, two batches, at the
// rate), or the dead run's last heartbeat when later, plus the window (at least the
// request timeouts).
func TestDueAtCountsFromEachCreate(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	now := t0.Add(time.Minute) // the rerun starts a minute later
	r := &runner{engine: &engine{o: Options{SettleWindow: 10 * time.Second, RequestTimeout: time.Second,
		Parallel: 8, QPS: 16, Now: func() time.Time { return now }}}}
	row := &Record{UpdatedAt: t0}
	// Intent at t0, two batches of 16 intents at 16/s ahead: sent by t0+2s, due 10s later.
	if got, want := r.dueAt(row), t0.Add(12*time.Second); !got.Equal(want) {
		t.Errorf("due %v, want %v", got, want)
	}
	if r.dueAt(row).After(now) {
		t.Error("a create older than the window is held")
	}
	r.prev = earlier{beat: t0.Add(30 * time.Second), timeout: 20 * time.Second}
	if got, want := r.dueAt(row), t0.Add(30*time.Second+state.HeartbeatEvery+20*time.Second); !got.Equal(want) {
		t.Errorf("with a heartbeat: due %v, want %v (the dead run's timeout is longer than the window)", got, want)
	}
	r.o.SettleWindow, r.prevLat = 0, state.CreateLatency{P99: 40 * time.Millisecond}
	r.prev = earlier{}
	if got, want := r.dueAt(row), t0.Add(2*time.Second+settleFloor); !got.Equal(want) {
		t.Errorf("derived window: due %v, want %v", got, want)
	}
}

// A rerun after a crash holds only the requests the dead run left "sending" (their create
// may still make the job); the requests known done are counted done at once and the
// others are sent meanwhile. Each held request is looked up when it comes due, and sent
// only then (its job does not exist): each job once.
func TestRerunHoldsOnlyUncertainCreates(t *testing.T) {
	emu, client := testenv.Start(t, emulator.Options{})
	p := testenv.Hourly("held", 9, 1).Parse(t) // 10 requests
	store := openStore(t, "")
	reqs := []plan.Request{}
	for r := range p.Requests() {
		reqs = append(reqs, r)
	}
	// The dead run's state: 5 known done, 3 "sending" (their creates never arrived), 2 planned.
	var rows []state.Record
	for i, req := range reqs[:8] {
		row := state.RecordFor(&req, request.Triggered)
		row.JobID = fmt.Sprintf("j%d", i)
		if i >= 5 {
			row = state.RecordFor(&req, request.Sending)
		}
		rows = append(rows, row)
	}
	if err := store.Sync(background(t), &state.Write{Records: rows}); err != nil {
		t.Fatal(err)
	}
	intent, _, err := store.Lookup(background(t), p.Name, reqs[5].Name)
	if err != nil {
		t.Fatal(err)
	}
	wrote := intent.UpdatedAt
	held := map[string]bool{reqs[5].Name: true, reqs[6].Name: true, reqs[7].Name: true}

	opts := quick()
	opts.RequestTimeout, opts.SettleWindow = 400*time.Millisecond, time.Second
	var mu sync.Mutex
	var settling []Progress
	opts.Progress = func(pr Progress) {
		if pr.Settling > 0 {
			mu.Lock()
			settling = append(settling, pr)
			mu.Unlock()
		}
	}
	var order []string
	var heldAt []time.Time
	opts.OnResult = func(res Result) {
		mu.Lock()
		defer mu.Unlock()
		order = append(order, res.Name)
		if held[res.Name] {
			heldAt = append(heldAt, time.Now())
		}
	}
	sum, err := Run(background(t), client, store, []*plan.Plan{p}, opts)
	if err != nil {
		t.Fatalf("rerun: %v", err)
	}
	if sum.Total.Skipped != 5 || sum.Total.Triggered != 5 {
		t.Errorf("summary %+v: want 5 skipped (state), 5 triggered", sum.Total)
	}
	if len(settling) == 0 {
		t.Error("no progress while the held requests settled")
	}
	for _, pr := range settling {
		if pr.Done != 7 || pr.Unsettled != 3 || pr.Planned != 10 {
			t.Errorf("progress while settling: %d/%d done, %d unsettled; want 7/10 done (known or sent), 3 unsettled", pr.Done, pr.Planned, pr.Unsettled)
		}
	}
	for i, name := range order {
		if held[name] != (i >= 7) {
			t.Fatalf("results in order %v: the held requests must come last", order)
		}
	}
	for _, at := range heldAt {
		if at.Sub(wrote) < opts.SettleWindow {
			t.Errorf("a held request was resumed %v after its intent, before the settle window (%v)", at.Sub(wrote), opts.SettleWindow)
		}
	}
	if st := emu.Server.Stats(); st.Calls[emulator.OpCreate] != 5 {
		t.Errorf("%d creates, want 5 (2 planned, 3 held then not found)", st.Calls[emulator.OpCreate])
	}
	sameNames(t, jobNames(t, emu), names(p)[5:])
}
