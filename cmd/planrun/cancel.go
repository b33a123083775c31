package main

import (
	"context"
	"flag"

	"github.com/planrun/planrun/report"
	"github.com/planrun/planrun/session"
)

const cancelUsage = `Usage: planrun cancel [flags] PLAN...

Cancels the jobs of these plans that are not finished (Submitted, Running or Pause) and reports
each job: cancelled, already finished, or the error. It finds the jobs on the service by their
names, so it also works from a machine without the state file, and while a run --wait holds
the state: that run then reports the jobs cancelled.

Only the jobs of the plan as it is now are reached: after 'generation' was bumped or a job
edited, the earlier jobs have other names. --all-generations reaches them too: the unfinished
jobs of the plan's jobs with any other name (found in the state, and on the service by the
names' "<plan>-<job>-" start, listing without a time bound), marked "not in the plan".

Examples:
  planrun cancel plans/backfill.yaml
  planrun cancel --format json plans/backfill.yaml
  planrun cancel --all-generations plans/backfill.yaml  # older generations too`

func setupCancel(fs *flag.FlagSet) runFunc {
	s := session.New(fs, "cancel", session.ServiceGroup|session.RateGroup|session.SelectionGroup)
	s.Out.Register(fs, "output: text, or json (JSON Lines, one object per job)", report.Formats(report.Cancel), "wide")
	allGenerations := fs.Bool("all-generations", false, "also cancel the unfinished jobs the plan no longer makes: earlier generations, and jobs edited since")
	return func(ctx context.Context, paths []string, e *env) error {
		if err := s.Start(e.io()); err != nil {
			return err
		}
		return s.Cancel(ctx, paths, *allGenerations)
	}
}
