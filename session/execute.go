package session

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/executor/follow"
	"github.com/planrun/planrun/objects"
	"github.com/planrun/planrun/output"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/report"
	"github.com/planrun/planrun/report/progress"
	"github.com/planrun/planrun/report/results"
	"github.com/planrun/planrun/report/safetext"
	"github.com/planrun/planrun/state"
)

// execution is one run of requests: run's plans, or retry's retry plans.
type execution struct {
	o     *RunOptions
	api   executor.API
	store *state.Store
	plans []*plan.Plan
	sel   *Selector
	log   *slog.Logger
	// retryOf, for retry, are the plans whose objects the requests retry.
	retryOf []*plan.Plan
}

// execute runs the requests for real, waits, reads the results, then prints the summary
// and writes the outputs. The summary and the outputs are written whatever happened,
// interrupted included, before the Outcome is returned.
func (s *Session) execute(ctx context.Context, x *execution) error {
	defer TuneGC(s.IO.Getenv)()
	o := x.o
	meta := report.Meta{Started: time.Now(), Shard: x.sel.Shard.String(), Endpoint: s.Service.Label(), Wait: o.Wait, Plans: report.PlanInfos(x.plans)}
	if x.retryOf != nil {
		meta.Command = "retry"
	}
	keep := x.sel.Keep
	if x.retryOf != nil {
		keep = func(r *plan.Request) bool { return x.sel.Shard.Contains(r.Name) } // not narrowed by --job again
	}
	out, abort, err := OpenRun(ctx, s.Out.Format, s.IO.Stdout, s.Out.Report, s.Out.JUnit,
		append(s.IO.TableOptions(&s.Out), report.WithMeta(meta), report.WithPlans(x.plans, keep), report.WithColor(s.IO.Color()))...)
	if err != nil {
		return err
	}
	defer abort()
	var rf *output.File
	if s.Out.Results != "" {
		if rf, err = output.CreateFile(ctx, s.Out.Results); err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("--results: %w", err) // interrupted while a FIFO waited for its reader
			}
			return UsageError{fmt.Errorf("--results: %w", err)}
		}
		defer rf.Abort()
	}

	counted := executor.CountCalls(x.api)
	var prog *progress.Progress
	// With --log-format json, stderr is for log collectors: no free-text progress lines.
	if !o.Quiet && o.LogFormat != "json" {
		prog = progress.NewProgress(s.IO.Console(), counted.InFlight, s.Rate.QPS.QPS)
	}
	opts := s.Options(x.log, keep)
	opts.FailFast, opts.MaxFailures, opts.PollInterval, opts.Progress = o.FailFast, o.MaxFailures, o.PollInterval, prog.Update
	opts.SettleWindow = o.SettleWindow
	opts.OnResult = func(r executor.Result) { out.Result(r) } // errors come again at the end
	runOpts := opts
	if x.retryOf == nil {
		// No Filter when the selection keeps every request: the run then neither counts
		// the requests in a pass of its own nor asks the selection about each one.
		runOpts.Filter = x.sel.Filter()
	}
	sum, runErr := executor.Run(ctx, counted, x.store, x.plans, runOpts)
	prog.Done()
	interrupted := errors.Is(runErr, context.Canceled) && ctx.Err() != nil

	var wait *executor.WaitSummary
	var waitErr error
	if o.Wait && !interrupted {
		prog.StartWait("waiting for the triggered jobs to finish (Ctrl-C stops waiting; the jobs go on)")
		opts.OnWaitRound = prog.WaitRound
		wait, waitErr = follow.Wait(ctx, counted, x.store, x.plans, opts)
		prog.StopWait()
		interrupted = errors.Is(waitErr, context.Canceled) && ctx.Err() != nil
		meta.WaitInterrupted = interrupted
	}
	// The loop of --max-attempts (run only): retry failed objects until they succeeded or
	// ran out of attempts. With one attempt, the objects are read once for the summary.
	var conv *Converged
	var convErr error
	readObjects := o.MaxAttempts > 1 || s.Out.Results == ""
	if wait != nil && o.MaxAttempts == 1 && s.Out.Results == "" && followed(wait) > maxReadForSummary {
		// Reading every object of a large backfill only to count failures would cost a list
		// call per batch job; the summary leaves it to `planrun results --failed`.
		readObjects = false
		s.IO.Warnf("objects not read: the run followed %d batch jobs (more than %d); `planrun results --failed` lists the objects that failed",
			followed(wait), maxReadForSummary)
	}
	if wait != nil && !interrupted && x.retryOf == nil && readObjects {
		conv, convErr = s.converge(ctx, x, counted, prog)
		interrupted = errors.Is(convErr, context.Canceled) && ctx.Err() != nil
		meta.WaitInterrupted = meta.WaitInterrupted || interrupted
		if o.MaxAttempts > 1 && !interrupted {
			// The loop may have re-run failed batch jobs: the summary shows each request's
			// latest attempt (the state knows them all finished; nothing is polled).
			if again, err := follow.Refresh(ctx, counted, x.store, x.plans, opts); err == nil {
				wait = again
			}
		}
	}
	var totals *results.ObjectTotals
	var objectProblems []string
	var resultsErr error
	if rf != nil && wait != nil && !interrupted {
		var counts []executor.ObjectCounts
		totals, objectProblems, resultsErr = results.WriteResultsFile(rf, func(emit func(executor.ObjectResult) error) ([]executor.ObjectCounts, error) {
			var err error
			counts, err = objects.LatestFollowed(ctx, x.api, x.store, x.plans, x.retryOf, wait, opts, emit)
			return counts, err
		})
		if resultsErr == nil {
			resultsErr = rf.Commit()
		}
		rf.Abort()
		if resultsErr != nil {
			resultsErr = fmt.Errorf("write --results %s: %w", s.Out.Results, resultsErr)
		}
		interrupted = errors.Is(resultsErr, context.Canceled) && ctx.Err() != nil
		s.saveCounts(ctx, x.store, counts, true)
	}
	meta.Finished = time.Now()
	meta.Interrupted = interrupted
	meta.Next = s.Next()
	meta.Stopped = report.StoppedText(sum, runErr, o.MaxFailures)
	// The summary is printed even when a report cannot be written; then the error is said.
	// The context may be cancelled (interrupted): what was done is still written out.
	writeErr := EndRun(ctx, out, RunEnd{Sum: sum, Wait: wait, Meta: meta,
		Objects: totals, ObjectProblems: objectProblems, ResultsFile: s.Out.Results,
		Format: s.Out.Format, Stdout: s.IO.Stdout, Stderr: s.IO.Stderr, Color: s.IO.Color(),
		StepSummary: s.IO.Getenv("GITHUB_STEP_SUMMARY"), HTML: s.Out.HTML, Store: x.store, Plans: plan.Names(x.plans), Keep: x.sel.Shard.Contains})
	if wait != nil && !interrupted && x.retryOf == nil && (conv != nil || totals != nil) {
		if conv == nil {
			conv = &Converged{MaxAttempts: 1}
		}
		if err := s.writeConverged(conv, totals); err != nil && writeErr == nil {
			writeErr = err
		}
	}
	if err := s.runOutcome(sum, wait, interrupted, writeErr, runErr, waitErr, resultsErr); err != nil {
		return err
	}
	if convErr != nil {
		s.IO.Warnf("%v", convergeError(convErr))
		return Failed
	}
	if conv != nil && o.MaxAttempts > 1 && (conv.Failed > 0 || conv.Running > 0 || conv.Other > 0) {
		return Failed
	}
	return nil
}

// runOutcome says what ended a run and returns its Outcome.
func (s *Session) runOutcome(sum *executor.Summary, wait *executor.WaitSummary, interrupted bool, writeErr error, runErr, waitErr, resultsErr error) error {
	var ce *executor.ConfigError
	var qp *executor.QueuePausedError
	say := func(err error) {
		if err != nil {
			s.IO.Warnf("%v", err)
		}
	}
	switch {
	case interrupted:
		say(writeErr)
		return Interrupted
	case errors.As(runErr, &ce):
		say(writeErr)
		hint := ""
		if ce.Refused() {
			hint = configHint
		}
		fmt.Fprintf(s.IO.Stderr, "planrun: %s\n%s", safetext.Text(ce.Error()), hint)
		return Usage
	case errors.As(runErr, &qp):
		say(writeErr)
		say(qp)
		return Failed
	case writeErr != nil:
		return writeErr
	case sum != nil && sum.Total.Failed > 0:
		return Failed
	case wait != nil && len(wait.Failed) > 0:
		return Failed
	}
	for _, err := range []error{runErr, waitErr, resultsErr} {
		if err != nil {
			// An error that is not a failed request (state, reconciliation): say it.
			say(err)
			return Failed
		}
	}
	return nil
}

// TuneGC tunes the collector for a run (tuneGC) unless the user set GOGC; the
// memory limit too unless the user set GOMEMLIMIT.
func TuneGC(getenv func(string) string) (restore func()) {
	if getenv("GOGC") != "" {
		return func() {}
	}
	return tuneGC(getenv("GOMEMLIMIT") == "")
}

// maxReadForSummary is the most batch jobs whose objects a `run --wait` with one attempt
// reads only to say how many objects failed.
const maxReadForSummary = 2000

// followed is how many batch jobs a wait followed.
func followed(w *executor.WaitSummary) int {
	n := 0
	for _, c := range w.States {
		n += c
	}
	return n
}
