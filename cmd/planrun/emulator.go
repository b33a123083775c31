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
)

const emulatorUsage = `Usage: planrun emulator [flags]

Serves the local CI emulator until stopped (Ctrl-C). It answers the four batch-job operations
like the real service, checks signatures, and lists what it holds at GET /_emulator/jobs.
It accepts the key pair in TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY when they are set,
else its default pair:
  TENCENTCLOUD_SECRET_ID=` + emulator.DefaultSecretID + `
  TENCENTCLOUD_SECRET_KEY=` + emulator.DefaultSecretKey + `

Examples:
  planrun emulator --addr 127.0.0.1:9000
  planrun run --endpoint http://127.0.0.1:9000 plans/examples/video-backfill.yaml
  curl -s http://127.0.0.1:9000/_emulator/jobs`

func setupEmulator(fs *flag.FlagSet) runFunc {
	addr := fs.String("addr", "127.0.0.1:9000", "address to listen on")
	submitted := fs.Duration("submitted-for", 2*time.Second, "how long a new job stays Submitted")
	running := fs.Duration("running-for", 5*time.Second, "how long a job then stays Running before it ends")
	failRate := fs.Float64("fail-rate", 0, "fraction of jobs that end Failed")
	latency := fs.Duration("latency", 0, "fault: delay before every answer")
	errRate := fs.Float64("error-rate", 0, "fault: fraction of requests answered 500 InternalError")
	uncertain := fs.Float64("uncertain-rate", 0, "fault: fraction of creates that create the job, then fail (500 or dropped connection)")
	resets := fs.Float64("reset-rate", 0, "fault: fraction of connections dropped before handling")
	qps := fs.Float64("qps-limit", 0, "fault: above this many requests per second answer 503 SlowDown (0: no limit)")
	workflows := fs.String("workflows", "", "comma-separated workflow ids that exist (default: any well-formed id)")
	defBucket := fs.String("default-bucket", "", "bucket served for hosts that are not <bucket>.ci.<region>.* (e.g. a client pointed at 127.0.0.1 directly)")
	defRegion := fs.String("default-region", "", "region served with --default-bucket")
	verbose := fs.Bool("verbose", false, "log every request to stderr")
	return func(ctx context.Context, rest []string, e *env) error {
		return serveEmulator(ctx, rest, e, emulatorFlags{*addr, *submitted, *running, *failRate, *latency, *errRate,
			*uncertain, *resets, *qps, *workflows, *defBucket, *defRegion, *verbose})
	}
}

type emulatorFlags struct {
	addr                            string
	submitted, running              time.Duration
	failRate                        float64
	latency                         time.Duration
	errRate, uncertain, resets, qps float64
	workflows, defBucket, defRegion string
	verbose                         bool
}

func serveEmulator(ctx context.Context, rest []string, e *env, f emulatorFlags) error {
	if len(rest) > 0 {
		return usagef("emulator: takes no arguments")
	}
	opts := emulator.Options{
		DefaultBucket: f.defBucket, DefaultRegion: f.defRegion,
		SubmittedFor: f.submitted, RunningFor: f.running, FailRate: f.failRate,
		Faults: emulator.Faults{Latency: f.latency, ErrorRate: f.errRate, UncertainRate: f.uncertain, ResetRate: f.resets, QPS: f.qps},
	}
	if f.workflows != "" {
		opts.Workflows = splitList(f.workflows)
	}
	id, key := e.getenv(ciapi.EnvSecretID), e.getenv(ciapi.EnvSecretKey)
	if id != "" && key != "" {
		opts.Credentials = map[string]string{id: key}
		if tok := e.getenv(ciapi.EnvSecurityToken); tok != "" {
			opts.Tokens = map[string]string{id: tok}
		}
	} else {
		id = emulator.DefaultSecretID
	}
	if f.verbose {
		opts.Logger = slog.New(slog.NewTextHandler(e.stderr, nil))
	}
	// Listen first: the address is announced only once it is ours.
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", f.addr)
	if err != nil {
		return usageError{fmt.Errorf("emulator: %w", err)}
	}
	bound := ln.Addr().String()
	fmt.Fprintf(e.stderr, "planrun emulator listening on http://%s (key id %s); jobs at http://%s/_emulator/jobs; Ctrl-C stops\n",
		bound, ciapi.Credentials{SecretID: id}.MaskedID(), bound)
	if err := emulator.Serve(ctx, ln, emulator.New(opts)); err != nil {
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
