package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"time"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/report"
	"github.com/planrun/planrun/state"
)

const runUsage = `Usage: planrun run [flags] PLAN...

Triggers every request of the plans that is not already done, exactly once, then prints a summary.
A PLAN may be a folder (every *.yaml/*.yml under it). Credentials come from
TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY and, for temporary keys, TENCENTCLOUD_SECURITY_TOKEN.

Examples:
  planrun run --dry-run plans/backfill.yaml      # print them, send nothing
  planrun run --dry-run --format json plans/ | jq .name   # JSON Lines
  planrun run --dry-run --format markdown plans/ > preview.md
  planrun run --emulator plans/examples/video-backfill.yaml  # no account
  planrun run --parallel 16 --qps 20 --wait --report report.json plans/prod.yaml
  planrun run --shard 2/4 plans/backfill.yaml     # the 2nd of 4 disjoint parts`

// runFlags are the options of `planrun run`.
type runFlags struct {
	serviceFlags
	selectFlags
	selector                       *plan.Selector // compiled from selectFlags once the plans are loaded
	paths                          []string       // the PLAN arguments, as given
	dryRun, failFast, wait, quiet  bool
	refresh, detailedExit          bool
	format, report, shard, junit   string
	logFormat, html                string
	exclude                        *globList
	parallel, retries, maxRequests int
	maxFailures                    int
	qps                            executor.RateSpec
	pollInterval                   time.Duration
	settleWindow                   time.Duration // 0: the executor's default (4 × --timeout, 30 s to 10 min)
	results                        string        // --results FILE: per-object results after --wait
	// retryOf, for planrun retry, are the plans whose objects the run's requests retry.
	retryOf []*plan.Plan
}

func setupRun(fs *flag.FlagSet) runFunc {
	f := &runFlags{}
	f.register(fs)
	fs.BoolVar(&f.refresh, "refresh", false, "with --dry-run: ask the service which requests exist (credentials needed; only lists jobs), as well as the state file")
	fs.BoolVar(&f.detailedExit, "detailed-exitcode", false, "with --dry-run: exit 0 when nothing would be sent, 3 when some request would be (1, 2 and 130 keep their meaning)")
	return func(ctx context.Context, paths []string, e *env) error {
		if f.emulator && !flagGiven(fs, "qps") {
			f.qps = executor.RateSpec{QPS: emulatorQPS} // the emulator has no account to protect: a demo need not crawl
		}
		return f.run(ctx, paths, e)
	}
}

// register declares the flags of run (and of retry, which runs its requests like run).
func (f *runFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&f.dryRun, "dry-run", false, "validate and expand, print what would be sent; no network, no credentials")
	fs.StringVar(&f.format, "format", "text", "output: "+strings.Join(report.Formats(report.Run), ", ")+"; with --dry-run: "+strings.Join(report.Formats(report.DryRun), ", "))
	fs.IntVar(&f.parallel, "parallel", executor.DefaultParallel, "most requests in flight at once")
	f.qps = executor.RateSpec{QPS: 10}
	fs.Var(&f.qps, "qps", "most requests started per second, across all workers; 0 is unlimited (200 with --emulator unless given); "+
		"auto adapts to the service's throttling, auto:R never above R")
	fs.IntVar(&f.retries, "retries", executor.DefaultRetries, "retries of a throttled or failed request (0: none)")
	fs.BoolVar(&f.failFast, "fail-fast", false, "stop starting requests after the first failure")
	fs.IntVar(&f.maxFailures, "max-failures", 0, "failure budget: after `N` requests have failed, start no new one (those in flight finish) and exit 1 (0: no limit)")
	fs.IntVar(&f.maxRequests, "max-requests", defaultMaxRequests, "refuse plans that expand to more requests than this (0: no limit)")
	fs.BoolVar(&f.wait, "wait", false, "follow every triggered job until Success, Failed or Cancel")
	fs.StringVar(&f.report, "report", "", "write a JSON report of every request to this `file`")
	fs.DurationVar(&f.pollInterval, "poll-interval", executor.DefaultPollInterval, "time between two status rounds of --wait")
	fs.DurationVar(&f.settleWindow, "settle-window", 0, "how long after a create with no answer before it may be sent again (looked up first); 0: 4 × --timeout, 30s to 10m")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress output; only the summary and errors")
	fs.StringVar(&f.shard, "shard", "", "run only the K-th of N disjoint parts of the plans, as `K/N` (1 <= K <= N)")
	fs.StringVar(&f.junit, "junit", "", "also write a JUnit XML report (one test case per request) to this `file`")
	fs.StringVar(&f.logFormat, "log-format", "text", "log format on stderr: text or json")
	fs.StringVar(&f.html, "html", "", "also write the plans' requests as a grid of windows, one self-contained HTML page, to this `file`")
	fs.StringVar(&f.results, "results", "", "with --wait: write every object's outcome in the followed batch jobs to this `file`, as JSON Lines (the lines of planrun results --format json)")
	f.exclude = registerExclude(fs)
	f.serviceFlags.register(fs)
	f.selectFlags.register(fs)
}

// check refuses bad values before anything is read or sent.
func (f *runFlags) check(cmd string, paths []string) error {
	what := report.Run
	if f.dryRun {
		what = report.DryRun
	}
	if err := report.CheckFormat(what, f.format); err != nil {
		return usagef("%s: %v", cmd, err)
	}
	switch {
	case len(paths) == 0:
		return usagef("%s: no plan file given", cmd)
	case f.parallel < 1:
		return usagef("%s: --parallel must be at least 1", cmd)
	case math.IsNaN(f.qps.QPS) || math.IsInf(f.qps.QPS, 0) || f.qps.QPS < 0:
		return usagef("%s: --qps must be a number of requests per second, 0 (unlimited) or more, or auto, not %v", cmd, f.qps.QPS)
	case f.retries < 0:
		return usagef("%s: --retries must not be negative", cmd)
	case f.maxFailures < 0:
		return usagef("%s: --max-failures must not be negative (0: no limit)", cmd)
	case f.maxRequests < 0:
		return usagef("%s: --max-requests must not be negative (0: no limit)", cmd)
	case f.pollInterval <= 0:
		return usagef("%s: --poll-interval must be positive", cmd)
	case f.settleWindow < 0 || (f.settleWindow > 0 && f.settleWindow < f.timeout):
		return usagef("%s: --settle-window must be at least --timeout (%v), or 0 for the default", cmd, f.timeout)
	}
	if f.results != "" && (!f.wait || f.dryRun) {
		return usagef("%s: --results needs --wait: objects are processed once the batch jobs run", cmd)
	}
	if !f.dryRun && (f.refresh || f.detailedExit) {
		return usagef("%s: --refresh and --detailed-exitcode go with --dry-run (a run always checks what exists)", cmd)
	}
	if f.dryRun {
		if f.refresh && f.emulator {
			return usagef("%s: --dry-run --refresh does not start the in-process emulator (use --endpoint with 'planrun emulator')", cmd)
		}
		if f.html != "" {
			return usagef("%s: --html draws what the state holds after a run; a dry run changes nothing", cmd)
		}
		return nil
	}
	return f.serviceFlags.check(cmd)
}

func (f *runFlags) run(ctx context.Context, paths []string, e *env) error {
	f.paths = paths
	if err := f.check("run", paths); err != nil {
		return err
	}
	plans, shard, log, err := f.load(e, "run", paths, f.format)
	if err != nil {
		return err
	}
	if f.selector, err = f.selectFlags.compile("run", plans); err != nil {
		return err
	}
	if err := executor.CheckLimit(plans, f.maxRequests); err != nil {
		fmt.Fprintf(e.stderr, "planrun: %v\n", err)
		return exitError{exitFailed}
	}
	if f.dryRun {
		return f.preview(ctx, e, plans, shard)
	}
	if err := f.checkOutputs("run", plans); err != nil {
		return err
	}
	api, closeAPI, err := f.client(e, "run")
	if err != nil {
		return err
	}
	defer closeAPI()
	store, err := f.openState(ctx, "run", true)
	if err != nil {
		return err
	}
	defer store.Close()
	statePath := f.statePath()
	log.Debug("run starting", "plans", len(plans), "state", statePath, "parallel", f.parallel, "qps", f.qps.String())
	return execute(ctx, e, f, api, store, plans, shard, log)
}

// load reads what run and retry start from: the shard, the logger and the plans (invalid
// plans are printed in format, as validate does).
func (f *runFlags) load(e *env, cmd string, paths []string, format string) ([]*plan.Plan, plan.Shard, *slog.Logger, error) {
	var shard plan.Shard
	var err error
	if f.shard != "" {
		if shard, err = plan.ParseShard(f.shard); err != nil {
			return nil, shard, nil, usageError{fmt.Errorf("%s: --shard: %w", cmd, err)}
		}
	}
	log, err := newLogger(e, f.logFormat)
	if err != nil {
		return nil, shard, nil, err
	}
	plans, err := loadValid(e, paths, *f.exclude, format)
	return plans, shard, log, err
}

// checkOutputs checks, before anything is sent, that the report files can be written.
func (f *runFlags) checkOutputs(cmd string, plans []*plan.Plan) error {
	if err := report.CheckOutputs(f.statePath(), plan.Paths(plans), report.Output{Flag: "--report", Path: f.report},
		report.Output{Flag: "--junit", Path: f.junit}, report.Output{Flag: "--html", Path: f.html},
		report.Output{Flag: "--results", Path: f.results}); err != nil {
		return usagef("%s: %v", cmd, err)
	}
	return nil
}

// openState opens the state file of run or retry (locked when lock is set) and checks
// that it belongs to the same endpoint.
func (f *runFlags) openState(ctx context.Context, cmd string, lock bool) (*state.Store, error) {
	store, err := state.Open(f.statePath())
	if err != nil {
		return nil, usageError{fmt.Errorf("%s: %w", cmd, err)}
	}
	if lock {
		err = store.Lock()
	}
	if err == nil {
		err = store.CheckEndpoint(ctx, f.label())
	}
	if err != nil {
		store.Close()
		return nil, usageError{fmt.Errorf("%s: %w", cmd, err)}
	}
	return store, nil
}

// options are the executor options the flags set: slots, rate, retries, timeout.
func (f *runFlags) options(log *slog.Logger, filter func(*plan.Request) bool) executor.Options {
	opts := executor.Options{Parallel: f.parallel, QPS: f.qps.QPS, QPSAuto: f.qps.Auto, Retries: f.retries,
		RequestTimeout: f.timeout, SettleWindow: f.settleWindow, Logger: log, Filter: filter}
	if f.retries == 0 {
		opts.Retries = -1 // none
	}
	return opts
}

// keep is the run's filter: the requests of the shard that --job, --since and --until select.
func (f *runFlags) keep(shard plan.Shard) func(*plan.Request) bool {
	return func(r *plan.Request) bool { return shard.Contains(r.Name) && f.selector.Keep(r) }
}

// emulatorQPS is the --qps default with --emulator.
const emulatorQPS = 200

// loadValid loads every plan; if any is invalid it prints the problems on stdout in the
// chosen format, as validate does, and returns exit status 1.
func loadValid(e *env, paths, exclude []string, format string) ([]*plan.Plan, error) {
	files, err := plan.Discover(paths, exclude...)
	if err != nil {
		return nil, usageError{err}
	}
	results, err := plan.LoadFiles(files, 0)
	if err != nil {
		return nil, err
	}
	report.WriteWarnings(e.stderr, results)
	var plans []*plan.Plan
	bad := false
	for _, r := range results {
		if len(r.Problems) > 0 {
			bad = true
		}
		plans = append(plans, r.Plan)
	}
	if bad {
		if err := report.WriteChecks(e.stdout, format, results); err != nil {
			return nil, err
		}
		return nil, exitError{exitFailed}
	}
	return plans, nil
}
