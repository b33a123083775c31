package workers

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"testing"

	"golang.org/x/sync/errgroup"

	_ "github.com/planrun/planrun/internal/testflag" // accepts -update
)

// TestGroupRunsEveryTaskWithinTheLimit: every task runs once, never more than limit at a
// time, on at most limit goroutines.
func TestGroupRunsEveryTaskWithinTheLimit(t *testing.T) {
	const limit, tasks = 4, 200
	g := New(limit)
	var running, most, done atomic.Int64
	// The first tasks wait until limit of them run at once, so that the limit is reached.
	gate := make(chan struct{})
	go func() {
		for running.Load() < limit {
			runtime.Gosched()
		}
		close(gate)
	}()
	for range tasks {
		g.Go(func() error {
			n := running.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			<-gate
			running.Add(-1)
			done.Add(1)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatalf("Wait = %v, want nil", err)
	}
	if done.Load() != tasks {
		t.Errorf("%d tasks ran, want %d", done.Load(), tasks)
	}
	if most.Load() != limit {
		t.Errorf("at most %d tasks ran at once, want %d", most.Load(), limit)
	}
	if g.started > limit {
		t.Errorf("%d workers started, want at most %d", g.started, limit)
	}
}

// TestGroupFirstErrorEndsContext: Wait returns the first error, the context of
// WithContext ends with it, and the tasks handed over afterwards still run (the run
// abandons them itself).
func TestGroupFirstErrorEndsContext(t *testing.T) {
	g, ctx := WithContext(context.Background(), 2)
	boom := errors.New("boom")
	g.Go(func() error { return boom })
	<-ctx.Done()
	var after atomic.Int64
	for range 10 {
		g.Go(func() error { after.Add(1); return errors.New("later") })
	}
	if err := g.Wait(); err != boom {
		t.Errorf("Wait = %v, want %v", err, boom)
	}
	if after.Load() != 10 {
		t.Errorf("%d tasks ran after the error, want 10", after.Load())
	}
}

// TestGroupWithoutErrorEndsContextAtWait: the context of WithContext ends when Wait returns.
func TestGroupWithoutErrorEndsContextAtWait(t *testing.T) {
	g, ctx := WithContext(context.Background(), 3)
	g.Go(func() error { return nil })
	if ctx.Err() != nil {
		t.Fatal("context ended before Wait")
	}
	if err := g.Wait(); err != nil {
		t.Fatalf("Wait = %v", err)
	}
	if ctx.Err() == nil {
		t.Error("context still open after Wait")
	}
}

// deep uses about 16 KiB of stack, as a create does (signing, net/http, parsing).
//
//go:noinline
func deep(n int) byte {
	var buf [512]byte
	buf[n%512] = byte(n)
	if n == 0 {
		return buf[0]
	}
	return deep(n-1) + buf[(n*7)%512]
}

var sink atomic.Int64

// BenchmarkDeepTasks compares running tasks that need a deep stack on a goroutine each
// (errgroup with a limit, as Run did) with the long-lived workers of a Group.
func BenchmarkDeepTasks(b *testing.B) {
	task := func() error { sink.Add(int64(deep(32))); return nil }
	b.Run("errgroup", func(b *testing.B) {
		var g errgroup.Group
		g.SetLimit(32)
		for range b.N {
			g.Go(task)
		}
		_ = g.Wait()
	})
	b.Run("workers", func(b *testing.B) {
		g := New(32)
		for range b.N {
			g.Go(task)
		}
		_ = g.Wait()
	})
}
