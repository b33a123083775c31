package executor

import (
	"context"
	"database/sql"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
	"github.com/planrun/planrun/state"
)

// When the commit of a batch of intents fails (here: another process holds the state
// file's write lock beyond the busy timeout), no request of that batch is sent, the run
// ends with an error instead of hanging, leaks no goroutine, and a rerun on the state
// triggers every request exactly once. Every create that did leave followed its
// committed intent.
func TestIntentCommitFailureSendsNothingUnrecorded(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: waits for the state's busy timeout (10 s)")
	}
	base := runtime.NumGoroutine()
	emu, client := testenv.Start(t, emulator.Options{Faults: emulator.Faults{Latency: 2 * time.Millisecond}})
	p := testenv.Hourly("commitfail", 300, 1).Parse(t)
	path := t.TempDir() + "/state.db"
	store, err := state.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	api := &intentChecked{Client: client, store: store, plan: p.Name}
	opts := quick()
	opts.Parallel = 4 // batches of 16
	var triggered atomic.Int32
	var locker sync.WaitGroup
	locked := make(chan error, 1)
	opts.OnResult = func(r Result) {
		if r.Status != request.Triggered || triggered.Add(1) != 40 {
			return
		}
		locker.Add(1)
		go func() { // another process's writer, holding the lock past the busy timeout
			defer locker.Done()
			db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(0)")
			if err != nil {
				locked <- err
				return
			}
			defer db.Close()
			conn, err := db.Conn(context.Background())
			if err != nil {
				locked <- err
				return
			}
			defer conn.Close()
			if _, err := conn.ExecContext(context.Background(), `BEGIN IMMEDIATE`); err != nil {
				locked <- err
				return
			}
			locked <- nil
			time.Sleep(11 * time.Second)
			_, _ = conn.ExecContext(context.Background(), `ROLLBACK`)
		}()
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	sum, err := Run(ctx, api, store, []*plan.Plan{p}, opts)
	took := time.Since(start)
	if lerr := <-locked; lerr != nil {
		t.Fatalf("take the write lock: %v", lerr)
	}
	locker.Wait()
	store.Close()
	if err == nil || !strings.Contains(err.Error(), "state") {
		t.Errorf("run with a failed commit: %v (summary %+v), want a state error", err, sum.Total)
	}
	if len(api.missed) > 0 {
		t.Errorf("%d creates left before their intent was committed, e.g. %s", len(api.missed), api.missed[0])
	}
	made := len(jobNames(t, emu))
	if made >= p.Count() {
		t.Errorf("every request was sent (%d): the failed commit stopped nothing", made)
	}
	t.Logf("first run: %v, %d jobs made, summary %+v, error: %v", took.Round(time.Millisecond), made, sum.Total, err)

	store = openStore(t, path)
	api = &intentChecked{Client: client, store: store, plan: p.Name}
	sum, err = Run(ctx, api, store, []*plan.Plan{p}, quick())
	if err != nil {
		t.Fatalf("rerun: %v", err)
	}
	if len(api.missed) > 0 {
		t.Errorf("rerun: %d creates left before their intent was committed, e.g. %s", len(api.missed), api.missed[0])
	}
	sameNames(t, jobNames(t, emu), names(p))
	store.Close()
	emu.Close()
	checkNoLeak(t, base)
}
