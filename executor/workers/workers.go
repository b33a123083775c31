// Package workers runs tasks on at most a given number of long-lived goroutines, as
// errgroup does with SetLimit, but without a goroutine per task: a task handed to a
// worker runs on a stack that has already grown to what the tasks need (a create signs,
// sends and reads on a deep stack; a fresh goroutine per create copied its stack a few
// times each, about a tenth of a run's CPU).
package workers

import (
	"context"
	"sync"
)

// Group runs tasks on at most limit goroutines, started as tasks come. Go and Wait are
// called from one goroutine; the tasks run on the workers.
type Group struct {
	tasks   chan func() error
	limit   int
	started int
	wg      sync.WaitGroup
	cancel  context.CancelFunc // nil unless made by WithContext

	errOnce sync.Once
	err     error
}

// New returns a group of at most limit workers (at least one).
func New(limit int) *Group {
	return &Group{tasks: make(chan func() error), limit: max(limit, 1)}
}

// WithContext returns a group of at most limit workers and a context derived from ctx
// that ends when a task first returns an error, or when Wait returns.
func WithContext(ctx context.Context, limit int) (*Group, context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	g := New(limit)
	g.cancel = cancel
	return g, ctx
}

// Go runs f on an idle worker, on a new one while there are fewer than the limit, or
// else waits until a worker is free.
func (g *Group) Go(f func() error) {
	select {
	case g.tasks <- f:
		return
	default:
	}
	if g.started < g.limit {
		g.started++
		g.wg.Add(1)
		go g.work(f)
		return
	}
	g.tasks <- f
}

// work runs f, then every task handed to it, until Wait.
func (g *Group) work(f func() error) {
	defer g.wg.Done()
	for ok := true; ok; f, ok = <-g.tasks {
		if err := f(); err != nil {
			g.errOnce.Do(func() {
				g.err = err
				if g.cancel != nil {
					g.cancel()
				}
			})
		}
	}
}

// Wait waits until every task handed to the group has returned, stops the workers and
// returns the first error a task returned. The group takes no task after Wait.
func (g *Group) Wait() error {
	close(g.tasks)
	g.wg.Wait()
	if g.cancel != nil {
		g.cancel()
	}
	return g.err
}
