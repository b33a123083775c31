package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/state"
)

const runUsage = `Usage: planrun run [flags] PLAN...

Triggers every request of the plans that is not already done, exactly once, then prints a summary.
A PLAN may be a folder (every *.yaml/*.yml under it). Credentials come from
TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY and, for temporary keys, TENCENTCLOUD_SECURITY_TOKEN.

Examples:
  planrun run --dry-run plans/backfill.yaml                 # print the requests; nothing is sent
  planrun run --dry-run --format json plans/ | jq .name     # one JSON object per request
  planrun run --dry-run --format markdown plans/ > preview.md
  planrun run --emulator plans/examples/video-backfill.yaml # try it on the built-in emulator
  planrun run --parallel 16 --qps 20 --wait --report report.json plans/backfill.yaml
  planrun run --shard 2/4 plans/backfill.yaml               # the 2nd of 4 disjoint parts`

// runFlags are the options of `planrun run`.
type runFlags struct {
	dryRun, emulator, failFast, wait, quiet, insecure        bool
	format, state, report, endpoint, shard, junit, logFormat string
	html                                                     string // --html FILE: the grid of windows as a page
	parallel, retries, maxRequests                           int
	qps                                                      executor.RateSpec
	timeout, pollInterval                                    time.Duration
}

func (f *runFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&f.dryRun, "dry-run", false, "validate and expand, print what would be sent; no network, no credentials")
	fs.BoolVar(&f.emulator, "emulator", false, "run against an in-process CI emulator on loopback (no account needed)")
	fs.StringVar(&f.format, "format", "text", "output: text, json, github or junit; with --dry-run: text, json, github or markdown")
	fs.IntVar(&f.parallel, "parallel", executor.DefaultParallel, "most requests in flight at once")
	f.qps = executor.RateSpec{QPS: 10}
	fs.Var(qpsValue{&f.qps}, "qps", "most requests started per second, across all workers; 0 is unlimited (200 with --emulator unless given); "+
		"auto adapts to the service's throttling, auto:R never above R")
	fs.IntVar(&f.retries, "retries", executor.DefaultRetries, "retries of a throttled or failed request (0: none)")
	fs.BoolVar(&f.failFast, "fail-fast", false, "stop starting requests after the first failure")
	fs.IntVar(&f.maxRequests, "max-requests", defaultMaxRequests, "refuse plans that expand to more requests than this (0: no limit)")
	fs.BoolVar(&f.wait, "wait", false, "follow every triggered job until Success, Failed or Cancel")
	fs.StringVar(&f.state, "state", "", "state `file` (default .planrun/state.db; .planrun/emulator.db with --emulator)")
	fs.StringVar(&f.report, "report", "", "write a JSON report of every request to this `file`")
	fs.StringVar(&f.endpoint, "endpoint", "", "where requests go: a base URL, or a template with {bucket} and {region} (default https://{bucket}.ci.{region}.myqcloud.com)")
	fs.DurationVar(&f.timeout, "timeout", executor.DefaultRequestTimeout, "timeout of each API call")
	fs.DurationVar(&f.pollInterval, "poll-interval", executor.DefaultPollInterval, "time between two status rounds of --wait")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress output; only the summary and errors")
	fs.BoolVar(&f.insecure, "insecure", false, "allow plain http to an endpoint that is not on loopback")
	fs.StringVar(&f.shard, "shard", "", "run only the K-th of N disjoint parts of the plans, as `K/N` (1 <= K <= N)")
	fs.StringVar(&f.junit, "junit", "", "also write a JUnit XML report (one test case per request) to this `file`")
	fs.StringVar(&f.logFormat, "log-format", "text", "log format on stderr: text or json")
	fs.StringVar(&f.html, "html", "", "also write the plans' requests as a grid of windows, one self-contained HTML page, to this `file`")
}

func cmdRun(ctx context.Context, args []string, e *env) error {
	var f runFlags
	fs := newFlagSet(e, "run", runUsage)
	f.register(fs)
	registerExclude(fs, e)
	paths, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if f.emulator && !flagSet(fs, "qps") {
		f.qps = executor.RateSpec{QPS: emulatorQPS} // the emulator has no account to protect: a demo need not crawl
	}
	formats := []string{"text", "json", "github", "junit"}
	if f.dryRun {
		// A dry run sends nothing, so it has no JUnit results; github prints the text table
		// (and annotates invalid plans), markdown is the pull-request preview.
		formats = []string{"text", "json", "github", "markdown"}
	}
	if err := checkFormat(f.format, formats...); err != nil {
		return err
	}
	if len(paths) == 0 {
		return usagef("run: no plan file given")
	}
	if f.dryRun && f.html != "" {
		return usagef("run: --html draws what the state holds after a run; a dry run changes nothing")
	}
	if f.parallel < 1 {
		return usagef("run: --parallel must be at least 1")
	}
	if f.retries < 0 {
		return usagef("run: --retries must not be negative")
	}
	var shard plan.Shard
	if f.shard != "" {
		if shard, err = plan.ParseShard(f.shard); err != nil {
			return usageError{fmt.Errorf("run: --shard: %w", err)}
		}
	}
	log, err := newLogger(e, f.logFormat)
	if err != nil {
		return err
	}
	plans, err := loadValid(e, paths, f.format)
	if err != nil {
		return err
	}
	if err := executor.CheckLimit(plans, f.maxRequests); err != nil {
		fmt.Fprintf(e.stderr, "planrun: %v\n", err)
		return exitError{exitFailed}
	}
	if f.dryRun {
		if err := dryRun(e, f.format, plans, shard); err != nil {
			return err
		}
		return writeStepSummaryPreview(e, plans, shard)
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
	store, err := state.Open(statePath)
	if err != nil {
		return usageError{fmt.Errorf("run: state: %w", err)}
	}
	defer store.Close()
	if err := store.Lock(); err != nil {
		return usageError{fmt.Errorf("run: %w", err)}
	}
	if err := store.CheckEndpoint(ctx, endpointLabel(&f)); err != nil {
		return usageError{fmt.Errorf("run: %w", err)}
	}
	log.Debug("run starting", "plans", len(plans), "state", statePath, "parallel", f.parallel, "qps", f.qps.String())
	return execute(ctx, e, &f, api, store, plans, shard, log)
}

// registerService adds the flags that say how to reach the service, for status and cancel.
func (f *runFlags) registerService(fs *flag.FlagSet) {
	fs.StringVar(&f.endpoint, "endpoint", "", "where requests go (see run --help)")
	fs.BoolVar(&f.insecure, "insecure", false, "allow plain http to an endpoint that is not on loopback")
	fs.DurationVar(&f.timeout, "timeout", executor.DefaultRequestTimeout, "timeout of each API call")
}

// emulatorQPS is the --qps default with --emulator.
const emulatorQPS = 200

// flagSet reports whether the flag name was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// loadValid loads every plan; if any is invalid it prints the problems on stdout in the
// chosen format, as validate does, and returns exit status 1.
func loadValid(e *env, paths []string, format string) ([]*plan.Plan, error) {
	files, err := plan.Discover(paths, e.exclude...)
	if err != nil {
		return nil, usageError{err}
	}
	results, err := loadPlans(files, 0)
	if err != nil {
		return nil, err
	}
	printWarnings(e, results)
	var plans []*plan.Plan
	bad := false
	for _, r := range results {
		if len(r.Problems) > 0 {
			bad = true
		}
		plans = append(plans, r.Plan)
	}
	if bad {
		vf := format
		if vf == "markdown" {
			vf = "text"
		}
		if err := writeValidation(e, vf, results); err != nil {
			return nil, err
		}
		return nil, exitError{exitFailed}
	}
	return plans, nil
}

// client builds the API client: the real service, or an in-process emulator.
func (f *runFlags) client(e *env) (*ciapi.Client, func(), error) {
	cfg := ciapi.Config{Endpoint: f.endpoint, Timeout: f.timeout, AllowInsecure: f.insecure}
	closeFn := func() {}
	if f.emulator {
		if f.endpoint != "" {
			return nil, nil, usagef("run: --emulator and --endpoint exclude each other")
		}
		emu, err := emulator.Start(emulator.Options{SubmittedFor: time.Second, RunningFor: 2 * time.Second})
		if err != nil {
			return nil, nil, fmt.Errorf("start emulator: %w", err)
		}
		closeFn = func() { emu.Close() }
		cfg.Endpoint = emu.URL
		cfg.Credentials = ciapi.Credentials{SecretID: emulator.DefaultSecretID, SecretKey: emulator.DefaultSecretKey}
	} else {
		creds, err := ciapi.CredentialsFromEnv(e.getenv)
		if err != nil {
			if errors.Is(err, ciapi.ErrNoCredentials) {
				return nil, nil, usagef("run: no credentials: set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY (and TENCENTCLOUD_SECURITY_TOKEN for temporary keys), or use --emulator or --dry-run")
			}
			return nil, nil, usageError{err}
		}
		cfg.Credentials = creds
	}
	c, err := ciapi.New(cfg)
	if err != nil {
		closeFn()
		switch {
		case errors.Is(err, ciapi.ErrInsecureEndpoint):
			return nil, nil, usageError{fmt.Errorf("--endpoint: %w (planrun's flag for that is --insecure)", err)}
		case errors.Is(err, ciapi.ErrInvalidEndpoint):
			return nil, nil, usageError{fmt.Errorf("--endpoint: %w; want a URL such as http://127.0.0.1:9000 or https://{bucket}.ci.{region}.myqcloud.com", err)}
		}
		return nil, nil, usageError{err}
	}
	return c, closeFn, nil
}
