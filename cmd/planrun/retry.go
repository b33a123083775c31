package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/report"
	"github.com/planrun/planrun/state"
)

const retryUsage = `Usage: planrun retry [flags] PLAN...

Triggers again every object whose latest attempt failed: one batch job per object (and workflow,
or node tag) with the object as its input and the same workflow or node operation, named after
the plan's request, the object and the attempt. It reads the results first (see planrun results
--help for their cost; following a retry costs a lookup by name and a list call per failed
object). A success is never retried, nor an object whose retry is still running. Like run, each
retry is triggered exactly once across reruns, crashes and machines: running retry again at once
triggers nothing. An object that failed --max-attempts times (the first one included) is not
retried: those are listed, and the exit status is 1.

Examples:
  planrun retry --dry-run plans/backfill.yaml    # what would be retried
  planrun retry --wait plans/backfill.yaml       # retry, then follow them
  planrun retry --emulator --wait plans/examples/video-backfill.yaml
  planrun retry --max-attempts 5 --qps 5 --report retry.json plans/backfill.yaml`

func setupRetry(fs *flag.FlagSet) runFunc {
	f := &runFlags{}
	f.register(fs)
	maxAttempts := fs.Int("max-attempts", executor.DefaultMaxAttempts, "most attempts of an object, the first one included")
	return func(ctx context.Context, paths []string, e *env) error {
		if f.emulator && !flagGiven(fs, "qps") {
			f.qps = executor.RateSpec{QPS: emulatorQPS}
		}
		return f.retry(ctx, paths, *maxAttempts, e)
	}
}

// retry is planrun retry: it reads the results, then runs the retries as run runs requests.
func (f *runFlags) retry(ctx context.Context, paths []string, maxAttempts int, e *env) error {
	if f.dryRun && f.format != "text" && f.format != "json" {
		return usagef("retry: with --dry-run, --format is text or json, not %q", f.format)
	}
	if err := f.check("retry", paths); err != nil {
		return err
	}
	if maxAttempts < 1 {
		return usagef("retry: --max-attempts must be at least 1")
	}
	if f.dryRun {
		if err := f.serviceFlags.check("retry"); err != nil {
			return err
		}
	}
	plans, shard, log, err := f.load(e, "retry", paths, "text")
	if err != nil {
		return err
	}
	// --job, --since and --until narrow the requests whose objects are retried; the retry
	// requests themselves are not narrowed again.
	sel, err := f.selectFlags.compile("retry", plans)
	if err != nil {
		return err
	}
	if err := f.checkOutputs("retry", plans); err != nil {
		return err
	}
	api, closeAPI, err := f.client(e, "retry")
	if err != nil {
		return err
	}
	defer closeAPI()
	var store *state.Store
	if !f.dryRun || fileExists(f.statePath()) {
		if store, err = f.openState(ctx, "retry", !f.dryRun); err != nil {
			return err
		}
		defer store.Close()
	}
	opts := f.options(log, selFilter(sel))
	jobs, missing, err := executor.ResultBatchJobs(ctx, api, store, plans, opts)
	if err != nil {
		return configError(e, fmt.Errorf("retry: %w", err))
	}
	bad := report.WriteMissing(e.stderr, missing, false)
	set, err := executor.Retries(ctx, api, store, plans, jobs, maxAttempts, opts)
	if err != nil {
		return configError(e, fmt.Errorf("retry: read results: %w", err))
	}
	bad = report.WriteProblems(e.stderr, "", set.Counts) > 0 || bad
	exhausted := func() error {
		w := e.stdout
		if f.format != "text" {
			w = e.stderr
		}
		if err := report.WriteExhausted(w, maxAttempts, set.Exhausted, useColor(e)); err != nil {
			return err
		}
		if len(set.Exhausted) > 0 || bad {
			return exitError{exitFailed}
		}
		return nil
	}
	if f.dryRun {
		if err := report.WriteRetryPreview(e.stdout, f.format, set); err != nil {
			return err
		}
		return exhausted()
	}
	saveCounts(ctx, e, store, set.Counts, true)
	if err := executor.CheckLimit(set.Plans, f.maxRequests); err != nil {
		fmt.Fprintf(e.stderr, "planrun: retry: %v\n", err)
		return exitError{exitFailed}
	}
	if !f.quiet {
		report.WriteRetryStart(e.stderr, set)
	}
	if len(set.Retry) == 0 {
		return exhausted()
	}
	f.retryOf = plans
	runErr := execute(ctx, e, f, api, store, set.Plans, shard, log)
	if f.wait && f.results == "" { // with --results, execute saved the counts it read
		// The retried objects now count at their new attempt; a failure only leaves the
		// counts read before.
		if counts, err := executor.Recount(ctx, api, store, jobs, set.Retry, opts); err == nil && counts != nil {
			saveCounts(ctx, e, store, counts, true)
		}
	}
	var ee exitError
	if runErr != nil && (!errors.As(runErr, &ee) || ee.code != exitFailed) {
		return runErr
	}
	if err := exhausted(); err != nil {
		return err
	}
	return runErr
}
