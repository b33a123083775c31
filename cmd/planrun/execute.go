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
	meta := report.Meta{Started: time.Now(), Shard: shard.String(), Endpoint: f.label()}
	for _, p := range plans {
		meta.Plans = append(meta.Plans, report.PlanInfo{Name: p.Name, Path: p.Path, Generation: p.Generation})
	}
	out, err := openOutputs(e, f, meta)
	if err != nil {
		return err
	}
	defer out.abort()

	counted := &countingAPI{API: api}
	var prog *report.Progress
	// With --log-format json, stderr is for log collectors: no free-text progress lines.
	if !f.quiet && f.logFormat != "json" {
		prog = report.NewProgress(e.console(), counted.inFlight, f.qps)
	}
	opts := executor.Options{
		Parallel: f.parallel, QPS: f.qps, Retries: f.retries, RequestTimeout: f.timeout,
		FailFast: f.failFast, PollInterval: f.pollInterval, Progress: prog.Update,
		Filter: func(r *plan.Request) bool { return shard.Contains(r.Name) },
		Logger: log, OnResult: out.result,
	}
	if f.retries == 0 {
		opts.Retries = -1
	}
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
	}
	meta.Finished = time.Now()
	meta.Interrupted = interrupted
	var ce *executor.ConfigError
	if errors.As(runErr, &ce) {
		meta.Stopped = "the service refused the configuration"
	}
	// The summary is printed even when a report cannot be written; then the error is said.
	writeErr := out.done(sum, wait, meta)
	if err := appendStepSummary(e, func(s report.Sink) error { return s.RunDone(sum, wait, meta) }); writeErr == nil {
		writeErr = err
	}
	// The grid reads the state even after Ctrl-C: the run's state is what it shows.
	inShard := func(name string) bool { return shard.Contains(name) }
	if err := writeStepSummaryGrid(context.WithoutCancel(ctx), e, store, namesOf(plans), inShard); writeErr == nil {
		writeErr = err
	}
	if f.html != "" {
		if err := writeGridFile(context.WithoutCancel(ctx), f.html, store, namesOf(plans), inShard, nil); writeErr == nil {
			writeErr = err
		}
	}
	switch {
	case interrupted:
		sayWriteError(e, writeErr)
		return exitError{exitInterrupted}
	case errors.As(runErr, &ce):
		sayWriteError(e, writeErr)
		fmt.Fprintf(e.stderr, "planrun: %v\n%s", ce, configHint)
		return exitError{exitUsage}
	case writeErr != nil:
		return writeErr
	case sum != nil && sum.Total.Failed > 0:
		return exitError{exitFailed}
	case wait != nil && len(wait.Failed) > 0:
		return exitError{exitFailed}
	}
	for _, err := range []error{runErr, waitErr} {
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
	if ciapi.IsConfigError(err) {
		fmt.Fprintf(e.stderr, "planrun: %v\n%s", err, configHint)
		return exitError{exitUsage}
	}
	return err
}

func useColor(e *env) bool { return e.isTerminal && e.getenv("NO_COLOR") == "" }

// outputs are where a run renders: stdout in --format, and the --report and --junit files.
type outputs struct {
	stdout report.Sink
	files  []*report.File
	sinks  []report.Sink // of files, in order
	err    error         // the first error of a file sink, sticky
}

func openOutputs(e *env, f *runFlags, meta report.Meta) (*outputs, error) {
	o := &outputs{}
	var err error
	if o.stdout, err = report.New(f.format, e.stdout, report.WithMeta(meta), report.WithColor(useColor(e))); err != nil {
		return nil, err
	}
	for _, out := range []struct{ path, format string }{{f.report, "json"}, {f.junit, "junit"}} {
		if out.path == "" {
			continue
		}
		file, err := report.CreateFile(out.path)
		if err != nil {
			o.abort()
			return nil, err
		}
		o.files = append(o.files, file)
		sink, err := report.New(out.format, file, report.WithMeta(meta))
		if err != nil {
			o.abort()
			return nil, err
		}
		o.sinks = append(o.sinks, sink)
	}
	return o, nil
}

// result is the executor's OnResult callback (never called concurrently).
func (o *outputs) result(r executor.Result) {
	if err := o.stdout.Result(r); err != nil && o.err == nil {
		o.err = err
	}
	if o.err != nil {
		return
	}
	for _, s := range o.sinks {
		if err := s.Result(r); err != nil && o.err == nil {
			o.err = fmt.Errorf("write report: %w", err)
		}
	}
}

// done renders the end of the run on stdout, then finishes the report files and moves them
// into place; it returns the first error.
func (o *outputs) done(sum *executor.Summary, wait *executor.WaitSummary, meta report.Meta) error {
	err := o.stdout.RunDone(sum, wait, meta)
	if ferr := o.stdout.Flush(); err == nil {
		err = ferr
	}
	if o.err != nil {
		o.abort()
		if err == nil {
			err = o.err
		}
		return err
	}
	for i, s := range o.sinks {
		serr := s.RunDone(sum, wait, meta)
		if serr == nil {
			serr = s.Flush()
		}
		if serr == nil {
			serr = o.files[i].Commit()
		} else {
			o.files[i].Abort()
			serr = fmt.Errorf("write %s: %w", o.files[i].Path(), serr)
		}
		if err == nil {
			err = serr
		}
	}
	return err
}

// abort removes unfinished report files (a report is written whole or not at all).
func (o *outputs) abort() {
	for _, f := range o.files {
		f.Abort()
	}
}
