// Package exectest is the test environment of the rooms above the batch-job executor
// (executor/follow, objects): a fresh state file, options that keep tests fast, a bounded
// context. The executor's own tests keep theirs, since they cannot import a package that
// imports the executor. Only tests import it.
package exectest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/state"
)

// Store opens a state file at path (a fresh one in a temp dir when path is empty) and
// closes it when the test ends.
func Store(t *testing.T, path string) *state.Store {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "state", "state.db")
	}
	s, err := state.Open(path)
	if err != nil {
		t.Fatalf("open state: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Quick are executor options that keep tests fast: short backoff, polls and settle window.
func Quick() executor.Options {
	return executor.Options{Parallel: 4, BackoffBase: 5 * time.Millisecond, BackoffCap: 50 * time.Millisecond,
		RequestTimeout: 3 * time.Second, PollInterval: 10 * time.Millisecond, SettleDelay: 20 * time.Millisecond,
		SettleWindow: 100 * time.Millisecond}
}

// Context is a context for one test, ended after 20 s or when the test ends.
func Context(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}
