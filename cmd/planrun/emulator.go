package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/report/safetext"
	"github.com/planrun/planrun/session"
)

const emulatorUsage = `Usage: planrun emulator [flags]

Serves the local CI emulator until stopped (Ctrl-C). It answers the four batch-job operations
like the real service, checks signatures, and lists what it holds at GET /_emulator/jobs.
It accepts the key pair in TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY when they are set,
else its default pair:
  TENCENTCLOUD_SECRET_ID=` + emulator.DefaultSecretID + `
  TENCENTCLOUD_SECRET_KEY=` + emulator.DefaultSecretKey + `

Examples:
  planrun emulator --addr 127.0.0.1:9000 &
  export TENCENTCLOUD_SECRET_ID=` + emulator.DefaultSecretID + `
  export TENCENTCLOUD_SECRET_KEY=` + emulator.DefaultSecretKey + `
  planrun run --endpoint http://127.0.0.1:9000 --state /tmp/emulator-state.db \
    plans/examples/video-backfill.yaml
  curl -s http://127.0.0.1:9000/_emulator/jobs`

func setupEmulator(fs *flag.FlagSet) runFunc {
	var opts emulator.Options
	addr := fs.String("addr", "127.0.0.1:9000", "address to listen on")
	fs.DurationVar(&opts.SubmittedFor, "submitted-for", 2*time.Second, "how long a new job stays Submitted")
	fs.DurationVar(&opts.RunningFor, "running-for", 5*time.Second, "how long a job then stays Running before it ends")
	fs.Float64Var(&opts.FailRate, "fail-rate", 0, "fraction of jobs that end Failed")
	fs.DurationVar(&opts.Faults.Latency, "latency", 0, "fault: delay before every answer")
	fs.Float64Var(&opts.Faults.ErrorRate, "error-rate", 0, "fault: fraction of requests answered 500 InternalError")
	fs.Float64Var(&opts.Faults.UncertainRate, "uncertain-rate", 0, "fault: fraction of creates that create the job, then fail (500 or dropped connection)")
	fs.DurationVar(&opts.Faults.CreateDelay, "create-delay", 0, "fault: make each job this long after its create arrived, even when the client gave up waiting")
	fs.Float64Var(&opts.Faults.ResetRate, "reset-rate", 0, "fault: fraction of connections dropped before handling")
	fs.Float64Var(&opts.Faults.QPS, "qps-limit", 0, "fault: above this many requests per second answer 503 SlowDown (0: no limit)")
	fs.Var(&opts.Throttle, "throttle", "a service-like rate limit: the rate, then any of shape=bucket|fixed|sliding, burst=N, "+
		"window=D, status=429|503, retry-after, random=SHARE (e.g. 40,shape=fixed,status=429)")
	workflows := fs.String("workflows", "", "comma-separated workflow ids that exist (default: any well-formed id)")
	fs.StringVar(&opts.DefaultBucket, "default-bucket", "", "bucket served for hosts that are not <bucket>.ci.<region>.* (e.g. a client pointed at 127.0.0.1 directly)")
	fs.StringVar(&opts.DefaultRegion, "default-region", "", "region served with --default-bucket")
	fs.IntVar(&opts.Objects.PerPrefix, "objects-per-prefix", 0, "objects under every prefix of a bucket (0: 1000), uploaded evenly over 2023 and 2024")
	fs.Float64Var(&opts.Objects.FailRate, "object-fail-rate", 0, "fraction of objects whose first attempt fails (per workflow or tag)")
	fs.Float64Var(&opts.Objects.PermanentShare, "permanent-share", 0, "fraction of the failing objects that fail on every attempt (the others succeed when retried)")
	fs.StringVar(&opts.StateFile, "state-file", "", "keep the jobs in this JSON Lines `file` across restarts, shared with every process using it (each change written as it is answered)")
	verbose := fs.Bool("verbose", false, "log every request to stderr")
	return func(ctx context.Context, rest []string, e *env) error {
		if len(rest) > 0 {
			return usagef("emulator: takes no arguments")
		}
		if o := opts.Objects; o.FailRate < 0 || o.FailRate > 1 || o.PermanentShare < 0 || o.PermanentShare > 1 {
			return usagef("emulator: --object-fail-rate and --permanent-share are fractions between 0 and 1")
		}
		if *workflows != "" {
			opts.Workflows = splitList(*workflows)
		}
		if *verbose {
			opts.Logger = slog.New(safetext.TextHandler(e.stderr, nil)) // paths and hosts are the clients'
		}
		return serveEmulator(ctx, e, *addr, opts)
	}
}

func serveEmulator(ctx context.Context, e *env, addr string, opts emulator.Options) error {
	id, key := e.getenv(ciapi.EnvSecretID), e.getenv(ciapi.EnvSecretKey)
	if id != "" && key != "" {
		opts.Credentials = map[string]string{id: key}
		if tok := e.getenv(ciapi.EnvSecurityToken); tok != "" {
			opts.Tokens = map[string]string{id: tok}
		}
	} else if id != "" || key != "" {
		return usagef("emulator: %s: set both, or neither for the emulator's default pair", ciapi.MissingFromEnv(e.getenv))
	} else {
		id = emulator.DefaultSecretID
	}
	// Listen first, then load the state file: the address is announced only once it is
	// ours and the emulator can answer on it.
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return session.UsageError{Err: fmt.Errorf("emulator: %w", err)}
	}
	srv, err := emulator.NewFromFile(opts)
	if err != nil {
		ln.Close()
		return session.UsageError{Err: fmt.Errorf("emulator: %w", err)}
	}
	bound := ln.Addr().String()
	fmt.Fprintf(e.stderr, "planrun emulator listening on http://%s (key id %s); jobs at http://%s/_emulator/jobs; Ctrl-C stops\n",
		bound, ciapi.Credentials{SecretID: id}.MaskedID(), bound)
	if err := emulator.ServeToFile(ctx, ln, srv, opts); err != nil {
		return fmt.Errorf("emulator: %w", err)
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
