package main

import (
	"context"
	"flag"

	"github.com/planrun/planrun/report"
	"github.com/planrun/planrun/session"
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
	s := session.New(fs, "results", session.ServiceGroup|session.RateGroup|session.SelectionGroup)
	s.Out.Register(fs, "output: text (a table per plan job), json (JSON Lines, one object per execution), csv, junit or markdown", report.Formats(report.Results), "html", "wide")
	failed := fs.Bool("failed", false, "keep the failed executions only (the tables still count all)")
	return func(ctx context.Context, paths []string, e *env) error {
		if err := s.Start(e.io()); err != nil {
			return err
		}
		return s.Results(ctx, paths, *failed)
	}
}
