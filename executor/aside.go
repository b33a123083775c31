package executor

import (
	"context"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"
)

// aside is a request set aside to settle: a create of it had no answer and the lookup
// after SettleDelay did not find its job.
type aside struct {
	pr *planRun
	t  *task
}

// setAside keeps t to be settled at the end of the send phase (see settleAside). Its row
// stays "sending", so a run interrupted before then leaves it for the next run to settle.
func (r *runner) setAside(pr *planRun, t *task, a *asideState) {
	t.aside = a
	r.asideMu.Lock()
	r.aside = append(r.aside, aside{pr: pr, t: t})
	r.asideMu.Unlock()
	r.meter.unsettled.Add(1)
	r.o.Logger.Debug("a create had no answer and its job is not listed yet: set aside to settle",
		"name", t.req.Name)
}

// settling is one request waiting for its create to settle: set aside by this run, or
// held from an earlier one.
type settling struct {
	due     time.Time                   // when it is resumed
	resume  func(context.Context) error // looks it up, then sends it if not found
	abandon func()                      // leaves it "sending" for the next run
}

// settleAside resumes, at the end of the send phase, the requests set aside (a create of
// this run had no answer and its job was not found: each once the settle window has passed
// since that create) and those held from an earlier run (each at its own due time, see
// dueAt): in the order they come due, each is looked up again, and only sent (again) when
// still not found. It repeats while creates sent again are set aside in turn. When stop
// ends first, or stopped says the send phase ended on a fail-fast failure, they are left
// "sending", to be settled by the next run.
func (r *runner) settleAside(stop context.Context, stopped bool) {
	for {
		r.asideMu.Lock()
		set, hs := r.aside, r.held
		r.aside, r.held = nil, nil
		r.asideMu.Unlock()
		if len(set)+len(hs) == 0 {
			return
		}
		window := r.settleWindow()
		items := make([]settling, 0, len(set)+len(hs))
		for _, a := range set {
			items = append(items, settling{due: a.t.aside.sentAt.Add(window),
				resume:  func(ctx context.Context) error { return r.work(ctx, a.pr, a.t) },
				abandon: func() { r.abandon(a.t, true) }})
		}
		for _, h := range hs {
			items = append(items, settling{due: h.due,
				resume:  func(ctx context.Context) error { return r.resumeHeld(ctx, h) },
				abandon: func() { r.abandon(h.t, false) }})
		}
		slices.SortStableFunc(items, func(a, b settling) int { return a.due.Compare(b.due) })
		g, gstop := &errgroup.Group{}, stop
		if r.o.FailFast {
			g, gstop = errgroup.WithContext(stop)
		}
		g.SetLimit(r.o.Parallel)
		for i, it := range items {
			if !stopped && gstop.Err() == nil {
				if d := it.due.Sub(r.o.Now()); d > 0 {
					if i == 0 || !items[i-1].due.Equal(it.due) {
						r.o.Logger.Warn("waiting for creates with no answer to settle before looking them up again",
							"creates", len(items)-i, "wait", d.Round(time.Millisecond).String())
					}
					r.meter.settleUntil.Store(it.due.UnixNano())
					_ = r.pause(gstop, d) // stop ending is seen below
					r.meter.settleUntil.Store(0)
				}
			}
			r.meter.unsettled.Add(-1)
			if stopped || gstop.Err() != nil {
				it.abandon()
				continue
			}
			g.Go(func() error { return it.resume(gstop) })
		}
		stopped = g.Wait() != nil || stopped
	}
}
