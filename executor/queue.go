package executor

import (
	"context"
	"sync"
	"time"

	"github.com/planrun/planrun/ciapi"
)

// queueGate holds every create back while the service's queue is full: a create answered
// QueueSaturated closes the gate for a backoff (longer each time the queue is still full
// after the gate opened, at least the Retry-After the service asked for); a create that
// goes through resets the backoff.
type queueGate struct {
	mu    sync.Mutex
	until time.Time // creates wait until then
	level int       // saturated answers since the last create that went through
}

// queueSaturated closes the gate after a QueueSaturated answer.
func (e *engine) queueSaturated(err error) {
	g := &e.queue
	g.mu.Lock()
	defer g.mu.Unlock()
	now := e.o.Now()
	if now.Before(g.until) {
		return // closed already by a create sent beside this one: no escalation
	}
	g.level++
	d := backoff(g.level, e.o.BackoffBase, e.o.BackoffCap, ciapi.RetryAfterOf(err), nil)
	g.until = now.Add(d)
	if g.level == 1 {
		e.o.Logger.Warn("the service's queue is full; waiting for it to drain", "wait", d.Round(time.Millisecond).String())
	}
}

// queueDrained resets the backoff after a create that went through.
func (e *engine) queueDrained() {
	g := &e.queue
	g.mu.Lock()
	g.level = 0
	g.mu.Unlock()
}

// queueGate waits until the gate is open, or ctx ends.
func (e *engine) queueGate(ctx context.Context) error {
	for {
		g := &e.queue
		g.mu.Lock()
		d := g.until.Sub(e.o.Now())
		g.mu.Unlock()
		if d <= 0 {
			return ctx.Err()
		}
		if err := e.pause(ctx, d); err != nil {
			return err
		}
	}
}

// QueuePausedError is in the error of a Run that stopped because the service answered
// that its queue is paused (ciapi.IsQueuePaused): no create can succeed until someone
// resumes it. The requests not sent stay pending in the state for the next run.
type QueuePausedError struct{ Err error }

// Error says why the run stopped and what to do.
func (e *QueuePausedError) Error() string {
	return "stopped: the queue is paused (" + e.Err.Error() + "); run again once it is resumed"
}

// Unwrap returns the API error.
func (e *QueuePausedError) Unwrap() error { return e.Err }
