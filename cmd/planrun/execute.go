package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
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
	meta := report.Meta{Started: time.Now(), Shard: shard.String(), Endpoint: endpointLabel(f)}
	for _, p := range plans {
		meta.Plans = append(meta.Plans, report.PlanInfo{Name: p.Name, Path: p.Path, Generation: p.Generation})
	}
	sinks, err := openSinks(e, f, meta)
	if err != nil {
		return err
	}
	defer sinks.abort()

	// With --log-format json, stderr is for log collectors: no free-text progress lines.
	prog := newProgress(e.stderr, e.errTerminal, f.quiet || f.logFormat == "json")
	opts := executor.Options{
		Parallel: f.parallel, QPS: f.qps.QPS, QPSAuto: f.qps.Auto, Retries: f.retries, RequestTimeout: f.timeout,
		FailFast: f.failFast, PollInterval: f.pollInterval, Progress: prog.update,
		Filter: func(r *plan.Request) bool { return shard.Contains(r.Name) },
		Logger: log,
	}
	if f.retries == 0 {
		opts.Retries = -1
	}
	opts.OnResult = sinks.add
	sum, runErr := executor.Run(ctx, api, store, plans, opts)
	prog.done()
	interrupted := errors.Is(runErr, context.Canceled) && ctx.Err() != nil

	var wait *executor.WaitSummary
	var waitErr error
	if f.wait && !interrupted {
		if !f.quiet {
			fmt.Fprintln(e.stderr, "waiting for the triggered jobs to finish (Ctrl-C stops waiting; the jobs go on)")
		}
		opts.OnWaitRound = prog.waitRound
		wait, waitErr = executor.Wait(ctx, api, store, plans, opts)
		interrupted = errors.Is(waitErr, context.Canceled) && ctx.Err() != nil
	}
	meta.Finished = time.Now()
	meta.Interrupted = interrupted
	var ce *executor.ConfigError
	var qp *executor.QueuePausedError
	if errors.As(runErr, &qp) {
		meta.Stopped = "the queue is paused"
	}
	if errors.As(runErr, &ce) {
		meta.Stopped = "the service refused the configuration"
		if !ce.Refused() {
			meta.Stopped = ce.Error()
		}
	}
	if err := sinks.close(sum, wait, meta); err != nil {
		return err
	}
	if err := writeRunOutput(e, f.format, sum, wait, meta); err != nil {
		return err
	}
	if err := writeStepSummaryRun(e, sum, wait, meta); err != nil {
		return err
	}
	// The grid reads the state even after Ctrl-C: the run's state is what it shows.
	inShard := func(name string) bool { return shard.Contains(name) }
	if err := writeStepSummaryGrid(context.WithoutCancel(ctx), e, store, namesOf(plans), inShard); err != nil {
		return err
	}
	if f.html != "" {
		if err := writeGridFile(context.WithoutCancel(ctx), f.html, store, namesOf(plans), inShard, nil); err != nil {
			return err
		}
	}
	switch {
	case interrupted:
		return exitError{exitInterrupted}
	case errors.As(runErr, &ce):
		hint := ""
		if ce.Refused() {
			hint = configHint
		}
		fmt.Fprintf(e.stderr, "planrun: %v\n%s", ce, hint)
		return exitError{exitUsage}
	case errors.As(runErr, &qp):
		fmt.Fprintf(e.stderr, "planrun: %v\n", qp)
		return exitError{exitFailed}
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

// configHint follows an error that says the service refused planrun's configuration.
const configHint = `planrun: check TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY (and TENCENTCLOUD_SECURITY_TOKEN for
temporary keys), the account's permissions on the bucket, this machine's clock, and --endpoint
`

// configError maps an error of status or cancel that the service's refusal of the
// configuration caused to exit status 2, with the hint.
func configError(e *env, err error) error {
	if errors.Is(err, ciapi.ErrUnreachable) || errors.Is(err, ciapi.ErrCertificate) {
		fmt.Fprintf(e.stderr, "planrun: %v\n", err)
		return exitError{exitUsage}
	}
	if ciapi.IsConfigError(err) {
		fmt.Fprintf(e.stderr, "planrun: %v\n%s", err, configHint)
		return exitError{exitUsage}
	}
	return err
}

func endpointLabel(f *runFlags) string {
	switch {
	case f.emulator:
		return "emulator"
	case f.endpoint != "":
		return f.endpoint
	}
	return "https://{bucket}.ci.{region}.myqcloud.com"
}

// writeRunOutput prints the run's outcome on stdout in the chosen format.
func writeRunOutput(e *env, format string, sum *executor.Summary, wait *executor.WaitSummary, meta report.Meta) error {
	switch format {
	case "json", "junit":
		return nil // streamed by the sinks
	case "github":
		if err := report.WriteGitHubAnnotations(e.stdout, sum); err != nil {
			return err
		}
		if wait != nil {
			return report.WriteGitHubWaitAnnotations(e.stdout, wait)
		}
		return nil
	}
	return report.WriteText(e.stdout, sum, wait, meta, useColor(e))
}

func useColor(e *env) bool { return e.isTerminal && e.getenv("NO_COLOR") == "" }

// sinks are the streaming writers of a run: --report, --junit, and --format json/junit on stdout.
type sinks struct {
	json  []*report.JSONReport
	junit []*report.JUnitReport
	files []*os.File
	tmp   []string // temp paths to rename into place on success
	final []string
	err   error
}

func openSinks(e *env, f *runFlags, meta report.Meta) (*sinks, error) {
	s := &sinks{}
	open := func(path string) (io.Writer, error) {
		file, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
		if err != nil {
			return nil, fmt.Errorf("open report %s: %w", path, err)
		}
		s.files = append(s.files, file)
		s.tmp = append(s.tmp, file.Name())
		s.final = append(s.final, path)
		return file, nil
	}
	if f.report != "" {
		if err := mkdirFor(f.report); err != nil {
			return nil, err
		}
		w, err := open(f.report)
		if err != nil {
			return nil, err
		}
		s.json = append(s.json, report.NewJSON(w, meta))
	}
	if f.format == "json" {
		s.json = append(s.json, report.NewJSON(e.stdout, meta))
	}
	junitOut := []io.Writer{}
	if f.junit != "" {
		if err := mkdirFor(f.junit); err != nil {
			return nil, err
		}
		w, err := open(f.junit)
		if err != nil {
			return nil, err
		}
		junitOut = append(junitOut, w)
	}
	if f.format == "junit" {
		junitOut = append(junitOut, e.stdout)
	}
	for _, w := range junitOut {
		j, err := report.NewJUnit(w)
		if err != nil {
			return nil, err
		}
		s.junit = append(s.junit, j)
	}
	return s, nil
}

// add is the executor's OnResult callback (never called concurrently).
func (s *sinks) add(r executor.Result) {
	if s.err != nil {
		return
	}
	for _, j := range s.json {
		if err := j.Add(r); err != nil {
			s.err = err
		}
	}
	for _, j := range s.junit {
		if err := j.Add(r); err != nil {
			s.err = err
		}
	}
}

// close finishes every report with the run's summary and, after --wait, the final job
// states (a job that ended Failed or Cancel fails its request's JUnit test case), then
// moves the report files into place.
func (s *sinks) close(sum *executor.Summary, wait *executor.WaitSummary, meta report.Meta) error {
	err := s.err
	for _, j := range s.json {
		if cerr := j.Close(sum, wait, meta); err == nil {
			err = cerr
		}
	}
	for _, j := range s.junit {
		if cerr := j.ApplyWait(wait); err == nil {
			err = cerr
		}
		if sum != nil {
			if cerr := j.AddUnreached(sum); err == nil {
				err = cerr
			}
		}
		if cerr := j.Close(meta); err == nil {
			err = cerr
		}
	}
	for i, f := range s.files {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(s.tmp[i], s.final[i])
		}
	}
	s.files = nil
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// abort removes unfinished report files (a report is written whole or not at all).
func (s *sinks) abort() {
	for i, f := range s.files {
		f.Close()
		os.Remove(s.tmp[i])
	}
}
