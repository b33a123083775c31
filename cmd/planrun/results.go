package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/report"
	"github.com/planrun/planrun/state"
)

const resultsUsage = `Usage: planrun results [flags] PLAN...

Shows every object's outcome in the plans' batch jobs: one record per execution (an object
through a workflow, or a node job on an object) with its state, and the service's code and
message when it failed. Batch job ids come from the state file, or are found on the service by
name on a machine without one.

The object counts of each batch job are kept in the state file (when it can be written and no
run holds it), for status --grid and --format html.

Cost: one list call per 100 objects, plus one detail call per failed workflow execution (the
reason of a failure is only in the detail), plus one lookup by name per request the state does
not know. Results stream: memory stays bounded whatever the number of objects.

Exit status: 0 when nothing failed, 1 when an object failed or a result could not be read.

Examples:
  planrun results plans/backfill.yaml
  planrun results --failed --format json plans/backfill.yaml | jq -r .object
  planrun results --format junit plans/backfill.yaml > results.xml
  planrun results --format csv --failed plans/ > failed.csv`

func setupResults(fs *flag.FlagSet) runFunc {
	var f serviceFlags
	var sf selectFlags
	format := fs.String("format", "text", "output: text (a table per plan job), json (JSON Lines, one object per execution), csv, junit or markdown")
	failed := fs.Bool("failed", false, "keep the failed executions only (the tables still count all)")
	parallel := fs.Int("parallel", executor.DefaultParallel, "most API calls in flight at once")
	qps := &executor.RateSpec{QPS: 10}
	fs.Var(qps, "qps", "most API calls started per second; 0 is unlimited; auto or auto:R adapts to throttling (see run --help)")
	retries := fs.Int("retries", executor.DefaultRetries, "retries of a throttled or failed call (0: none)")
	html := fs.String("html", "", "also write the plans' requests as a grid of windows with their object counts, one HTML page, to this `file` (needs the state file)")
	f.register(fs)
	sf.register(fs)
	return func(ctx context.Context, paths []string, e *env) error {
		if f.emulator && !flagGiven(fs, "qps") {
			*qps = executor.RateSpec{QPS: emulatorQPS}
		}
		if !slices.Contains(report.ResultsFormats, *format) {
			return usagef("results: unknown --format %q (want one of %s)", *format, strings.Join(report.ResultsFormats, ", "))
		}
		if len(paths) == 0 {
			return usagef("results: no plan file given")
		}
		if *parallel < 1 || math.IsNaN(qps.QPS) || math.IsInf(qps.QPS, 0) || qps.QPS < 0 || *retries < 0 {
			return usagef("results: --parallel must be at least 1, --qps a number not negative, --retries not negative")
		}
		plans, err := loadValid(e, paths, nil, "text")
		if err != nil {
			return err
		}
		sel, err := sf.compile("results", plans)
		if err != nil {
			return err
		}
		if err := report.CheckOutputs(f.statePath(), plan.Paths(plans), report.Output{Flag: "--html", Path: *html}); err != nil {
			return usagef("results: %v", err)
		}
		api, closeAPI, err := f.client(e, "results")
		if err != nil {
			return err
		}
		defer closeAPI()
		opts := executor.Options{Parallel: *parallel, QPS: qps.QPS, QPSAuto: qps.Auto, Retries: *retries, RequestTimeout: f.timeout,
			Filter: selFilter(sel)}
		if *retries == 0 {
			opts.Retries = -1
		}
		return results(ctx, e, f.statePath(), f.label(), api, plans, opts, *format, *failed, *html)
	}
}

func results(ctx context.Context, e *env, statePath, label string, api *ciapi.Client, plans []*plan.Plan, opts executor.Options, format string, failed bool, html string) error {
	var err error
	var store *state.Store
	if fileExists(statePath) {
		store, err = state.Open(statePath)
		if errors.Is(err, state.ErrReadOnly) {
			store, err = state.OpenReadOnly(statePath) // results only read; the counts are not saved then
		}
		if err != nil {
			return usageError{fmt.Errorf("results: %w", err)}
		}
		defer store.Close()
		if err := store.CheckEndpoint(ctx, label); err != nil {
			return usageError{fmt.Errorf("results: %w", err)}
		}
	} else if html != "" {
		return usagef("results: --html draws the requests of the state file; there is none at %s", statePath)
	}
	jobs, missing, err := executor.ResultBatchJobs(ctx, api, store, plans, opts)
	if err != nil {
		return configError(e, fmt.Errorf("results: %w", err))
	}
	bad := report.WriteMissing(e.stderr, missing, true)
	w, err := report.NewResults(format, e.stdout, report.ResultsOptions{FailedOnly: failed, Color: useColor(e)})
	if err != nil {
		return usageError{err}
	}
	anyFailed := false
	counts, rerr := executor.Latest(ctx, api, store, jobs, opts, func(r executor.ObjectResult) error {
		anyFailed = anyFailed || r.Failed()
		return w.Write(&r)
	})
	if err := w.Finish(counts); err != nil {
		return errors.Join(rerr, err)
	}
	if rerr != nil {
		return configError(e, fmt.Errorf("results: %w", rerr))
	}
	saveCounts(ctx, e, store, counts, false)
	if html != "" {
		if err := report.WriteStateGridPage(ctx, html, store, plan.Names(plans), nil, counts); err != nil {
			return err
		}
	}
	if report.WriteProblems(e.stderr, format, counts) > 0 || anyFailed || bad {
		return exitError{exitFailed}
	}
	return nil
}

// saveCounts records the object counts of the plans' batch jobs in the state, for status
// and its grid. It never fails the command: without a state, with a read-only one, or with
// one a run holds (unless held says this process holds it), the counts are not saved; an
// error writing them is said on stderr.
func saveCounts(ctx context.Context, e *env, store *state.Store, counts []executor.ObjectCounts, held bool) {
	if store == nil || ctx.Err() != nil {
		return
	}
	if !held {
		if err := store.Lock(); err != nil {
			return // read-only, or a run (or another command) holds the state: it is theirs
		}
	}
	if err := executor.SaveCounts(ctx, store, counts); err != nil {
		fmt.Fprintf(e.stderr, "planrun: object counts not saved in the state: %v\n", err)
	}
}
