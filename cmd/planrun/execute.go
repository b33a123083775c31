package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/report"
	"github.com/planrun/planrun/state"
)

// execute runs the plans for real, then prints the summary and writes the reports.
func execute(ctx context.Context, e *env, f *runFlags, api executor.API, store *state.Store, plans []*plan.Plan, shard plan.Shard, log *slog.Logger) error {
	defer tuneGC(e.getenv)()
	meta := report.Meta{Started: time.Now(), Shard: shard.String(), Endpoint: f.label(), Wait: f.wait, Plans: report.PlanInfos(plans)}
	if f.retryOf != nil {
		meta.Command = "retry"
	}
	keep := f.keep(shard)
	out, abort, err := report.OpenRun(f.format, e.stdout, f.report, f.junit,
		report.WithMeta(meta), report.WithPlans(plans, keep), report.WithColor(useColor(e)))
	if err != nil {
		return err
	}
	defer abort()
	var rf *report.File
	if f.results != "" {
		if rf, err = report.CreateFile(f.results); err != nil {
			return usageError{fmt.Errorf("--results: %w", err)}
		}
		defer rf.Abort()
	}

	counted := executor.CountCalls(api)
	var prog *report.Progress
	// With --log-format json, stderr is for log collectors: no free-text progress lines.
	if !f.quiet && f.logFormat != "json" {
		prog = report.NewProgress(e.console(), counted.InFlight, f.qps.QPS)
	}
	opts := f.options(log, keep)
	opts.FailFast, opts.MaxFailures, opts.PollInterval, opts.Progress = f.failFast, f.maxFailures, f.pollInterval, prog.Update
	opts.OnResult = func(r executor.Result) { out.Result(r) } // errors come again at the end
	sum, runErr := executor.Run(ctx, counted, store, plans, opts)
	prog.Done()
	interrupted := errors.Is(runErr, context.Canceled) && ctx.Err() != nil

	var wait *executor.WaitSummary
	var waitErr error
	if f.wait && !interrupted {
		if !f.quiet {
			e.console().Println("waiting for the triggered jobs to finish (Ctrl-C stops waiting; the jobs go on)")
		}
		opts.OnWaitRound = prog.WaitRound
		wait, waitErr = executor.Wait(ctx, counted, store, plans, opts)
		interrupted = errors.Is(waitErr, context.Canceled) && ctx.Err() != nil
		meta.WaitInterrupted = interrupted
	}
	var objects *report.ObjectTotals
	var objectProblems []string
	var resultsErr error
	if rf != nil && wait != nil && !interrupted {
		var counts []executor.ObjectCounts
		objects, objectProblems, resultsErr = report.WriteResultsFile(rf, func(emit func(executor.ObjectResult) error) ([]executor.ObjectCounts, error) {
			var err error
			counts, err = executor.LatestFollowed(ctx, api, store, plans, f.retryOf, wait, opts, emit)
			return counts, err
		})
		if resultsErr != nil {
			resultsErr = fmt.Errorf("write --results %s: %w", f.results, resultsErr)
		}
		interrupted = errors.Is(resultsErr, context.Canceled) && ctx.Err() != nil
		saveCounts(ctx, e, store, counts, true)
	}
	meta.Finished = time.Now()
	meta.Interrupted = interrupted
	meta.Next = f.nextCommands(e)
	meta.Stopped = report.StoppedText(sum, runErr, f.maxFailures)
	// The summary is printed even when a report cannot be written; then the error is said.
	writeErr := report.EndRun(ctx, out, report.RunEnd{Sum: sum, Wait: wait, Meta: meta,
		Objects: objects, ObjectProblems: objectProblems, ResultsFile: f.results,
		Format: f.format, Stdout: e.stdout, Stderr: e.stderr, Color: useColor(e),
		StepSummary: e.getenv("GITHUB_STEP_SUMMARY"), HTML: f.html, Store: store, Plans: plan.Names(plans), Keep: shard.Contains})
	var ce *executor.ConfigError
	var qp *executor.QueuePausedError
	switch {
	case interrupted:
		sayWriteError(e, writeErr)
		return exitError{exitInterrupted}
	case errors.As(runErr, &ce):
		sayWriteError(e, writeErr)
		hint := ""
		if ce.Refused() {
			hint = configHint
		}
		fmt.Fprintf(e.stderr, "planrun: %v\n%s", ce, hint)
		return exitError{exitUsage}
	case errors.As(runErr, &qp):
		sayWriteError(e, writeErr)
		fmt.Fprintf(e.stderr, "planrun: %v\n", qp)
		return exitError{exitFailed}
	case writeErr != nil:
		return writeErr
	case sum != nil && sum.Total.Failed > 0:
		return exitError{exitFailed}
	case wait != nil && len(wait.Failed) > 0:
		return exitError{exitFailed}
	}
	for _, err := range []error{runErr, waitErr, resultsErr} {
		if err != nil {
			// An error that is not a failed request (state, reconciliation): say it.
			fmt.Fprintf(e.stderr, "planrun: %v\n", err)
			return exitError{exitFailed}
		}
	}
	return nil
}

// sayWriteError tells about a report that could not be written, when the exit status says
// something else first.
func sayWriteError(e *env, err error) {
	if err != nil {
		fmt.Fprintf(e.stderr, "planrun: %v\n", err)
	}
}

// configHint follows an error that says the service refused planrun's configuration.
const configHint = `planrun: check TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY (and TENCENTCLOUD_SECURITY_TOKEN for
temporary keys), the account's permissions on the bucket, this machine's clock, and --endpoint
`

// configError maps an error of status or cancel that the service's refusal of the
// configuration caused to exit status 2, with the hint.
func configError(e *env, err error) error {
	if errors.Is(err, ciapi.ErrUnreachable) || errors.Is(err, ciapi.ErrCertificate) {
		// One line, "cannot reach <endpoint>: connection refused", not every call that met it.
		if reason := ciapi.ReachReason(err); reason != "" {
			fmt.Fprintf(e.stderr, "planrun: %s\n", reason)
		} else {
			fmt.Fprintf(e.stderr, "planrun: %v\n", err)
		}
		return exitError{exitUsage}
	}
	if ciapi.IsConfigError(err) {
		fmt.Fprintf(e.stderr, "planrun: %v\n%s", err, configHint)
		return exitError{exitUsage}
	}
	return err
}

func useColor(e *env) bool { return e.isTerminal && e.getenv("NO_COLOR") == "" }

// tuneGC tunes the collector for a run (executor.TuneGC) unless the user set GOGC; the
// memory limit too unless the user set GOMEMLIMIT.
func tuneGC(getenv func(string) string) (restore func()) {
	if getenv("GOGC") != "" {
		return func() {}
	}
	return executor.TuneGC(getenv("GOMEMLIMIT") == "")
}
