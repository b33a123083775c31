package executor

import (
	"context"
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

// settleAside resumes the requests set aside, once SettleWindow has passed since the last
// of their creates was sent: each is looked up again, and only sent again (a retry) when
// still not found. It repeats while creates sent again are set aside in turn. When stop
// ends first, or stopped says the send phase ended on a fail-fast failure, they are left
// "sending", to be settled by the next run (see settleWait).
func (r *runner) settleAside(stop context.Context, stopped bool) {
	for {
		r.asideMu.Lock()
		set := r.aside
		r.aside = nil
		r.asideMu.Unlock()
		if len(set) == 0 {
			return
		}
		if !stopped && stop.Err() == nil {
			var last time.Time
			for _, a := range set {
				last = latest(last, a.t.aside.sentAt)
			}
			if d := last.Add(r.o.SettleWindow).Sub(r.o.Now()); d > 0 {
				r.o.Logger.Warn("waiting for creates that got no answer to settle before looking them up again",
					"creates", len(set), "wait", d.Round(time.Millisecond).String())
				r.meter.settleUntil.Store(r.o.Now().Add(d).UnixNano())
				_ = r.pause(stop, d) // stop ending is seen below
				r.meter.settleUntil.Store(0)
			}
		}
		r.meter.unsettled.Add(-int64(len(set)))
		if stopped || stop.Err() != nil {
			for _, a := range set {
				r.abandon(a.t, true)
			}
			continue // nothing more is set aside: no worker runs
		}
		g, gstop := &errgroup.Group{}, stop
		if r.o.FailFast {
			g, gstop = errgroup.WithContext(stop)
		}
		g.SetLimit(r.o.Parallel)
		for _, a := range set {
			g.Go(func() error { return r.work(gstop, a.pr, a.t) })
		}
		stopped = g.Wait() != nil
	}
}
