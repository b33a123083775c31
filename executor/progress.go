package executor

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/planrun/planrun/plan/request"
)

// Progress is a snapshot of a running Run, passed to Options.Progress.
type Progress struct {
	Planned   int           // requests of all plans of the run
	Done      int           // Skipped + Triggered + Failed
	Skipped   int           // already done (state or service)
	Triggered int           // created by this run
	Failed    int           // failed permanently
	InFlight  int           // requests being worked on now
	Rate      float64       // requests completed (triggered or failed) per second so far; 0 in the first second
	ETA       time.Duration // estimated time left at Rate; 0 when unknown
	Elapsed   time.Duration // since the run started
	// QPS is the current allowance of an adaptive rate (--qps auto); 0 for a fixed one.
	QPS float64
	// Settling, while positive, is how much longer the run waits for creates that may still
	// be in the making at the service: before sending, those an earlier (killed) run may
	// have left in flight (see the settle wait of reconcile); at the end of the send phase,
	// those of this run that got no answer (Unsettled).
	Settling time.Duration
	// Unsettled is how many requests of this run are set aside because their create got no
	// answer and their job is not listed yet: they are looked up again once the settle
	// window (Options.SettleWindow) has passed, and sent again only if still not found.
	Unsettled int
}

// meter holds the live counters of a run and calls the progress callback.
type meter struct {
	planned, skipped, triggered, failed, inFlight atomic.Int64
	settleUntil                                   atomic.Int64   // unix ns; 0 when not settling
	unsettled                                     atomic.Int64   // see Progress.Unsettled
	pace                                          func() float64 // see Progress.QPS; nil when fixed

	start time.Time
	now   func() time.Time
	fn    func(Progress)
	mu    sync.Mutex // serialises fn
	stop  chan struct{}
	done  chan struct{}
}

// newMeter starts reporting to fn (if not nil) every progressEvery; pace, when not nil,
// gives Progress.QPS.
func newMeter(fn func(Progress), now func() time.Time, pace func() float64) *meter {
	m := &meter{start: now(), now: now, fn: fn, pace: pace, stop: make(chan struct{}), done: make(chan struct{})}
	if fn == nil {
		close(m.done)
		return m
	}
	go func() {
		defer close(m.done)
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		for {
			select {
			case <-m.stop:
				return
			case <-t.C:
				m.report()
			}
		}
	}()
	return m
}

// snapshot computes the current Progress.
func (m *meter) snapshot() Progress {
	p := Progress{
		Planned: int(m.planned.Load()), Skipped: int(m.skipped.Load()),
		Triggered: int(m.triggered.Load()), Failed: int(m.failed.Load()),
		InFlight: int(m.inFlight.Load()), Elapsed: m.now().Sub(m.start),
		Unsettled: int(m.unsettled.Load()),
	}
	p.Done = p.Skipped + p.Triggered + p.Failed
	if m.pace != nil {
		p.QPS = m.pace()
	}
	if until := m.settleUntil.Load(); until != 0 {
		p.Settling = max(0, time.Unix(0, until).Sub(m.now()))
	}
	// Over less than a second the count is the first burst, not a pace: 10 creates in
	// 0.2 s under --qps 20 read "49.6/s, limit 20/s", as if the limit were broken.
	if secs := p.Elapsed.Seconds(); secs >= 1 {
		p.Rate = float64(p.Triggered+p.Failed) / secs
	}
	if left := p.Planned - p.Done; left > 0 && p.Rate > 0 {
		p.ETA = time.Duration(float64(left) / p.Rate * float64(time.Second))
	}
	return p
}

// report calls fn with a snapshot.
func (m *meter) report() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fn(m.snapshot())
}

// close stops the ticker and reports one last time.
func (m *meter) close() {
	if m.fn == nil {
		return
	}
	close(m.stop)
	<-m.done
	m.report()
}

// count adds a final status to the counters.
func (m *meter) count(status request.Status) {
	switch status {
	case request.Skipped:
		m.skipped.Add(1)
	case request.Triggered:
		m.triggered.Add(1)
	case request.Failed:
		m.failed.Add(1)
	}
}
