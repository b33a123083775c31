package main

import (
	"context"
	"flag"
	"slices"
	"strings"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/objects"
	"github.com/planrun/planrun/report"
	"github.com/planrun/planrun/session"
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
  planrun run --wait --max-attempts 3 plans/x.yaml  # retry failed objects
  planrun run --shard 2/4 plans/backfill.yaml     # the 2nd of 4 disjoint parts
  planrun run --rerun failed plans/backfill.yaml  # failed ones again: <name>-a2`

// defaultMaxRequests is the --max-requests default of validate, run and retry.
const defaultMaxRequests = 10000

func setupRun(fs *flag.FlagSet) runFunc {
	s, o := newRunSession(fs, "run")
	fs.BoolVar(&o.Refresh, "refresh", false, "with --dry-run: ask the service which requests exist (credentials needed; only lists jobs), as well as the state file")
	fs.StringVar(&o.Rerun, "rerun", "", "send again, as a new attempt (<name>-a2, -a3, ...), the requests whose latest batch job ended `STATES`: failed, cancelled, or both comma-separated")
	fs.BoolVar(&o.DetailedExit, "detailed-exitcode", false, "with --dry-run: exit 0 when nothing would be sent, 3 when some request would be (1, 2 and 130 keep their meaning)")
	return func(ctx context.Context, paths []string, e *env) error {
		if err := s.Start(e.io()); err != nil {
			return err
		}
		return s.Run(ctx, paths, o)
	}
}

// newRunSession declares the flags of run, and of retry, which runs its requests like run.
func newRunSession(fs *flag.FlagSet, cmd string) (*session.Session, *session.RunOptions) {
	o := &session.RunOptions{}
	fs.BoolVar(&o.DryRun, "dry-run", false, "validate and expand, print what would be sent; no network, no credentials")
	s := session.New(fs, cmd, session.ServiceGroup|session.RateGroup|session.SelectionGroup)
	s.Out.Register(fs, "output: "+strings.Join(report.Formats(report.Run), ", ")+"; with --dry-run: "+strings.Join(report.Formats(report.DryRun), ", "),
		union(report.Formats(report.Run), report.Formats(report.DryRun)), "report", "junit", "html", "results", "wide")
	fs.BoolVar(&o.FailFast, "fail-fast", false, "stop starting requests after the first failure")
	fs.IntVar(&o.MaxFailures, "max-failures", 0, "failure budget: after `N` requests have failed, start no new one (those in flight finish) and exit 1 (0: no limit)")
	fs.IntVar(&o.MaxRequests, "max-requests", defaultMaxRequests, "refuse plans that expand to more requests than this (0: no limit)")
	fs.BoolVar(&o.Wait, "wait", false, "follow every triggered job until Success, Failed or Cancel")
	attempts, attemptsUsage := 1, "with --wait: most attempts of an object, the first included; above 1, failed objects are retried in bulk (as planrun retry does) until they succeed or ran out of attempts, and the exit status is 1 when some failed for good"
	if cmd == "retry" {
		attempts, attemptsUsage = objects.DefaultMaxAttempts, "most attempts of an object, the first one included"
	}
	fs.IntVar(&o.MaxAttempts, "max-attempts", attempts, attemptsUsage)
	fs.StringVar(&o.Via, "via", objects.ViaURLFile, "how failed objects are triggered again: url-file (one batch job per request and round) or object (one per object)")
	fs.StringVar(&o.ListPrefix, "list-prefix", "", "where --via url-file writes its URL files in the bucket (default planrun-retry-lists/<plan>/)")
	fs.DurationVar(&o.PollInterval, "poll-interval", executor.DefaultPollInterval, "time between two status rounds of --wait")
	fs.DurationVar(&o.SettleWindow, "settle-window", 0, "how long after a create with no answer before it may be sent again (looked up first); 0: derived from the create latencies observed (at least 5s)")
	fs.BoolVar(&o.Quiet, "quiet", false, "no progress output; only the summary and errors")
	fs.Var(&session.Choice{Value: &o.LogFormat, Allowed: []string{"text", "json"}}, "log-format", "log format on stderr: text or json")
	o.LogFormat = "text"
	return s, o
}

// union is a followed by the values of b not in a.
func union(a, b []string) []string {
	out := append([]string(nil), a...)
	for _, v := range b {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
