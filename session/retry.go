package session

import (
	"context"
	"errors"
	"fmt"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/objects"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/report"
	"github.com/planrun/planrun/report/results"
	"github.com/planrun/planrun/state"
)

// Retry is planrun retry: it reads the results of the plans under paths, then runs the
// retries of the failed objects (at most cfg.MaxAttempts attempts each, through URL files
// or one by one as cfg.Via says) as Run runs requests.
func (s *Session) Retry(ctx context.Context, paths []string, o *RunOptions, cfg objects.RetryConfig) error {
	s.paths = paths
	maxAttempts := cfg.MaxAttempts
	if cfg.Via != objects.ViaURLFile && cfg.Via != objects.ViaObject {
		return s.Usagef("--via is %s or %s, not %q", objects.ViaURLFile, objects.ViaObject, cfg.Via)
	}
	if o.DryRun && s.Out.Format != "text" && s.Out.Format != "json" {
		return s.Usagef("with --dry-run, --format is text or json, not %q", s.Out.Format)
	}
	if err := s.checkRun(o, paths); err != nil {
		return err
	}
	if maxAttempts < 1 {
		return s.Usagef("--max-attempts must be at least 1")
	}
	if err := s.CheckService(); err != nil {
		return err
	}
	log, err := s.Logger(o.LogFormat)
	if err != nil {
		return err
	}
	// --job, --since and --until narrow the requests whose objects are retried; the retry
	// requests themselves are not narrowed again.
	plans, sel, err := s.LoadSelected(paths, "text")
	if err != nil {
		return err
	}
	if err := s.checkOutputs(plans); err != nil {
		return err
	}
	api, closeAPI, err := s.Client()
	if err != nil {
		return err
	}
	defer closeAPI()
	access := Locked
	if o.DryRun {
		access = Existing
	}
	store, err := s.OpenState(ctx, access, true)
	if err != nil {
		return err
	}
	if store != nil {
		defer s.closeState(store)
	}
	opts := s.Options(log, sel.Filter())
	counted := executor.CountCalls(api)
	stop := readProgress(s.IO.Console(), counted, "reading the results", o.Quiet || o.LogFormat == "json")
	defer stop()
	jobs, missing, err := objects.ResultBatchJobs(ctx, counted, store, plans, opts)
	if err != nil {
		return s.serviceError(fmt.Errorf("retry: %w", err))
	}
	bad := results.WriteMissing(s.IO.Stderr, missing, false)
	// A real retry keeps counts, not every failed object: they go to the URL files.
	cfg.DryRun, cfg.MaxRequests, cfg.Lean = o.DryRun, o.MaxRequests, !o.DryRun
	set, err := objects.RetriesVia(ctx, counted, store, plans, jobs, cfg, opts)
	stop()
	switch {
	case errors.Is(err, plan.ErrListPrefix):
		return s.Usagef("--list-prefix: %v", err)
	case errors.Is(err, objects.ErrListRefused), errors.Is(err, executor.ErrTooManyRequests):
		s.IO.Warnf("retry: %v", err)
		return Failed
	case err != nil:
		return s.serviceError(fmt.Errorf("retry: read results: %w", err))
	}
	bad = results.WriteProblems(s.IO.Stderr, "", set.Counts) > 0 || bad
	exhausted := func() error {
		w := s.IO.Stdout
		if s.Out.Format != "text" {
			w = s.IO.Stderr
		}
		if err := report.WriteExhausted(w, maxAttempts, set.ExhaustedCount, set.Exhausted, s.IO.Color(), s.IO.TableOptions(&s.Out)...); err != nil {
			return err
		}
		if set.ExhaustedCount > 0 || bad {
			return Failed
		}
		return nil
	}
	if o.DryRun {
		if err := report.WriteRetryPreview(s.IO.Stdout, s.Out.Format, set, s.IO.TableOptions(&s.Out)...); err != nil {
			return err
		}
		return exhausted()
	}
	s.saveCounts(ctx, store, set.Counts, true)
	if err := executor.CheckLimit(set.Plans, o.MaxRequests); err != nil {
		s.IO.Warnf("retry: %v", err)
		return Failed
	}
	if !o.Quiet {
		report.WriteRetryStart(s.IO.Stderr, set)
	}
	if set.Retrying == 0 {
		return exhausted()
	}
	runErr := s.execute(ctx, &execution{o: o, api: api, store: store, plans: set.Plans, sel: sel, log: log, retryOf: plans})
	if o.Wait && s.Out.Results == "" { // with --results, execute saved the counts it read
		// The retried objects now count at their new attempt; a failure only leaves the
		// counts read before.
		if counts, err := objects.Recount(ctx, api, store, jobs, set.Retried(), opts); err == nil && counts != nil {
			s.saveCounts(ctx, store, counts, true)
		}
	}
	if runErr != nil && !errors.Is(runErr, Failed) {
		return runErr
	}
	if err := exhausted(); err != nil {
		return err
	}
	return runErr
}

// saveCounts records the object counts of the plans' batch jobs in the state, for status
// and its grid. It never fails the command: without a state, with a read-only one, or with
// one a run holds (unless held says this process holds it), the counts are not saved; an
// error writing them is said on stderr.
func (s *Session) saveCounts(ctx context.Context, store *state.Store, counts []executor.ObjectCounts, held bool) {
	if store == nil || ctx.Err() != nil {
		return
	}
	if !held {
		if err := store.Lock(); err != nil {
			return // read-only, or a run (or another command) holds the state: it is theirs
		}
	}
	if err := objects.SaveCounts(ctx, store, counts); err != nil {
		s.IO.Warnf("object counts not saved in the state: %v", err)
	}
}
