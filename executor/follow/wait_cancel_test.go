package follow

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
)

// Ctrl-C in the middle of a wait's list sweep ends the wait at once: once the context is
// cancelled (here while the third page of a ten-page sweep is being served, slowly), no
// further call reaches the service, and Wait returns the interruption with the counts it
// had, every job still counted.
func TestWaitStopsMidSweepWhenCancelled(t *testing.T) {
	emu, client := testenv.Start(t, emulator.Options{Seed: 9, SubmittedFor: time.Hour, RunningFor: time.Hour})
	p := testenv.Hourly("cancel-mid-sweep", 399, 1).Parse(t) // 400 requests: a sweep of 4 pages, cancelled in the 3rd
	store := openStore(t, "")
	if _, err := executor.Run(background(t), client, store, []*plan.Plan{p}, quick()); err != nil {
		t.Fatalf("run: %v", err)
	}

	ctx, cancel := context.WithCancel(background(t))
	defer cancel()
	target, _ := url.Parse(emu.URL)
	proxy := httputil.NewSingleHostReverseProxy(target) // keeps the signed Host header
	var lists, afterCancel atomic.Int64
	var cancelled atomic.Bool
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if cancelled.Load() {
			afterCancel.Add(1)
		}
		if r.Method == http.MethodGet && lists.Add(1) == 3 {
			cancelled.Store(true)
			cancel()
		}
		time.Sleep(20 * time.Millisecond) // a slow page
		proxy.ServeHTTP(w, r)
	}))
	defer slow.Close()

	ws, err := Wait(ctx, testenv.Client(t, slow.URL), store, []*plan.Plan{p}, quick())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("wait: %v, want the interruption", err)
	}
	if n := afterCancel.Load(); n != 0 {
		t.Errorf("%d calls reached the service after the cancel, want none", n)
	}
	if lists.Load() != 3 {
		t.Errorf("%d list calls, want the 3 started before the cancel", lists.Load())
	}
	total := 0
	for _, n := range ws.States {
		total += n
	}
	if total != p.Count() || ws.Unfinished != p.Count() {
		t.Errorf("summary counts %d jobs (%d unfinished), want %d", total, ws.Unfinished, p.Count())
	}
	if n := countJobs(t, ws); n != p.Count() {
		t.Errorf("the interrupted summary lists %d jobs, want %d", n, p.Count())
	}
}
