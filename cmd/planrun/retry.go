package main

import (
	"context"
	"flag"

	"github.com/planrun/planrun/executor"
)

const retryUsage = `Usage: planrun retry [flags] PLAN...

Triggers again every object whose latest attempt failed: one batch job per object (and workflow,
or node tag) with the object as its input and the same workflow or node operation, named after
the plan's request, the object and the attempt. It reads the results first (see planrun results
--help for their cost; following a retry costs a lookup by name and a list call per failed
object). A success is never retried, nor an object whose retry is still running. Like run, each
retry is triggered exactly once across reruns, crashes and machines: running retry again at once
triggers nothing. An object that failed --max-attempts times (the first one included) is not
retried: those are listed, and the exit status is 1.

Examples:
  planrun retry --dry-run plans/backfill.yaml    # what would be retried
  planrun retry --wait plans/backfill.yaml       # retry, then follow them
  planrun retry --emulator --wait plans/examples/video-backfill.yaml
  planrun retry --max-attempts 5 --qps 5 --report retry.json plans/backfill.yaml`

func setupRetry(fs *flag.FlagSet) runFunc {
	s, o := newRunSession(fs, "retry")
	maxAttempts := fs.Int("max-attempts", executor.DefaultMaxAttempts, "most attempts of an object, the first one included")
	return func(ctx context.Context, paths []string, e *env) error {
		if err := s.Start(e.io()); err != nil {
			return err
		}
		return s.Retry(ctx, paths, o, *maxAttempts)
	}
}
