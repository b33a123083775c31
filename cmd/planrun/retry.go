package main

import (
	"context"
	"flag"

	"github.com/planrun/planrun/objects"
)

const retryUsage = `Usage: planrun retry [flags] PLAN...

Triggers again every object whose latest attempt failed. By default (--via url-file) the failed
objects of each request and round are written, one object URL a line, to a URL file in the
bucket under --list-prefix (default planrun-retry-lists/<plan>/; never under an input prefix of
the plan, which a workflow may watch), split every 10,000 objects, and each file gets one batch
job with Input.UrlFile and the request's workflow or node operation. The file's key and the
batch job's name are deterministic. Writing the file needs cos:PutObject on the prefix; with
--via object, each object gets a batch job of its own instead, named after the plan's request,
the object and the attempt. It reads the results first (see planrun results --help for their
cost; following URL-file retries costs a lookup per request and round and the list calls of
their batch jobs, following --via object ones a lookup and a list call per failed object); an
object read twice is retried once. A success is never retried, nor an object whose retry is
still running. Like run, each retry is triggered exactly once across reruns, crashes and
machines: running retry again at once triggers nothing. An object that failed --max-attempts
times (the first one included) is not retried: those are listed, and the exit status is 1.

Examples:
  planrun retry --dry-run plans/backfill.yaml    # what would be retried
  planrun retry --wait plans/backfill.yaml       # retry, then follow them
  planrun retry --emulator --wait plans/examples/video-backfill.yaml
  planrun retry --max-attempts 5 --qps 5 --report retry.json plans/backfill.yaml`

func setupRetry(fs *flag.FlagSet) runFunc {
	s, o := newRunSession(fs, "retry")
	return func(ctx context.Context, paths []string, e *env) error {
		if err := s.Start(e.io()); err != nil {
			return err
		}
		return s.Retry(ctx, paths, o, objects.RetryConfig{MaxAttempts: o.MaxAttempts, Via: o.Via, ListPrefix: o.ListPrefix})
	}
}
