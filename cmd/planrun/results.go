package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/report"
	"github.com/planrun/planrun/state"
)

const resultsUsage = `Usage: planrun results [flags] PLAN...

Shows every object's outcome in the plans' batch jobs: one record per execution (an object
through a workflow, or a node job on an object) with its state, and the service's code and
message when it failed. Batch job ids come from the state file, or are found on the service by
name on a machine without one.

Cost: one list call per 100 objects, plus one detail call per failed workflow execution (the
reason of a failure is only in the detail), plus one lookup by name per request the state does
not know. Results stream: memory stays bounded whatever the number of objects.

Exit status: 0 when nothing failed, 1 when an object failed or a result could not be read.

Examples:
  planrun results plans/backfill.yaml
  planrun results --failed --format json plans/backfill.yaml | jq -r .object
  planrun results --format junit plans/backfill.yaml > results.xml
  planrun results --format csv --failed plans/ > failed.csv`

func cmdResults(ctx context.Context, args []string, e *env) error {
	var f runFlags
	fs := newFlagSet(e, "results", resultsUsage)
	fs.StringVar(&f.format, "format", "text", "output: text (a table per plan job), json (JSON Lines, one object per execution), csv, junit or markdown")
	failed := fs.Bool("failed", false, "keep the failed executions only (the tables still count all)")
	fs.StringVar(&f.state, "state", "", "state `file` (default .planrun/state.db; .planrun/emulator.db with --emulator)")
	fs.BoolVar(&f.emulator, "emulator", false, "read from an in-process CI emulator on loopback")
	fs.IntVar(&f.parallel, "parallel", executor.DefaultParallel, "most API calls in flight at once")
	f.qps = executor.RateSpec{QPS: 10}
	fs.Var(qpsValue{&f.qps}, "qps", "most API calls started per second; 0 is unlimited; auto or auto:R adapts to throttling (see run --help)")
	fs.IntVar(&f.retries, "retries", executor.DefaultRetries, "retries of a throttled or failed call (0: none)")
	fs.StringVar(&f.html, "html", "", "also write the plans' requests as a grid of windows with their object counts, one HTML page, to this `file` (needs the state file)")
	f.registerService(fs)
	paths, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := checkFormat(f.format, report.ResultsFormats...); err != nil {
		return err
	}
	if len(paths) == 0 {
		return usagef("results: no plan file given")
	}
	if f.parallel < 1 || f.retries < 0 {
		return usagef("results: --parallel must be at least 1, --retries not negative")
	}
	plans, err := loadValid(e, paths, "text")
	if err != nil {
		return err
	}
	api, closeAPI, err := f.client(e)
	if err != nil {
		return err
	}
	defer closeAPI()
	statePath := f.state
	if statePath == "" {
		statePath = ".planrun/state.db"
		if f.emulator {
			statePath = ".planrun/emulator.db"
		}
	}
	var store *state.Store
	if fileExists(statePath) {
		if store, err = state.Open(statePath); err != nil {
			return usageError{fmt.Errorf("results: %w", err)}
		}
		defer store.Close()
		if err := store.CheckEndpoint(ctx, endpointLabel(&f)); err != nil {
			return usageError{fmt.Errorf("results: %w", err)}
		}
	} else if f.html != "" {
		return usagef("results: --html draws the requests of the state file; there is none at %s", statePath)
	}
	retries := f.retries
	if retries == 0 {
		retries = -1
	}
	opts := executor.Options{Parallel: f.parallel, QPS: f.qps.QPS, QPSAuto: f.qps.Auto, Retries: retries, RequestTimeout: f.timeout}
	jobs, missing, err := executor.ResultBatchJobs(ctx, api, store, plans, opts)
	if err != nil {
		return configError(e, fmt.Errorf("results: %w", err))
	}
	bad := false
	untriggered := 0
	for _, m := range missing {
		if m.Err != nil {
			bad = true
			fmt.Fprintf(e.stderr, "planrun: %s/%s: %v\n", m.Plan, m.Job, m.Err)
		} else {
			untriggered++
		}
	}
	if untriggered > 0 {
		fmt.Fprintf(e.stderr, "planrun: %s of the plans have no batch job on the service (not triggered yet?)\n",
			plural(untriggered, "request"))
	}
	w, err := report.NewResults(f.format, e.stdout, report.ResultsOptions{FailedOnly: *failed, Color: useColor(e)})
	if err != nil {
		return usageError{err}
	}
	anyFailed := false
	counts, rerr := executor.Results(ctx, api, jobs, opts, func(r executor.ObjectResult) error {
		anyFailed = anyFailed || r.Failed()
		return w.Write(&r)
	})
	if err := w.Finish(counts); err != nil {
		return errors.Join(rerr, err)
	}
	if rerr != nil {
		return configError(e, fmt.Errorf("results: %w", rerr))
	}
	if f.html != "" {
		if err := writeGridFile(ctx, f.html, store, namesOf(plans), nil, counts); err != nil {
			return err
		}
	}
	for _, line := range report.ProblemLines(counts) {
		bad = true
		if f.format != report.ResultsText && f.format != report.ResultsMarkdown { // those print them
			fmt.Fprintf(e.stderr, "planrun: %s\n", line)
		}
	}
	if anyFailed || bad {
		return exitError{exitFailed}
	}
	return nil
}
