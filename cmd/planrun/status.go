package main

import (
	"context"
	"flag"

	"github.com/planrun/planrun/report"
	"github.com/planrun/planrun/session"
)

const statusUsage = `Usage: planrun status [flags] [PLAN...]

Shows what the state file holds: each request, its job id and last known job state. With PLAN
files, only their plans, each row marked whether the plan still makes that request (IN PLAN no:
an earlier generation, or a job edited since; cancel --all-generations reaches those jobs); with
--refresh, asks the service for the current state of unfinished jobs first (needs credentials,
like run).

With --grid, draws the backfill as a grid in the terminal: a line per plan job × input ×
workflow, a block per window (grouped by day, week, month or year when they do not fit the
width, $COLUMNS or the terminal's); --format html writes the same as one self-contained page,
--format markdown as a compact Markdown table. Under GitHub Actions the Markdown grid is also
added to the step summary ($GITHUB_STEP_SUMMARY).

Examples:
  planrun status
  planrun status --grid
  planrun status --format html > backfill.html
  planrun status --format json | jq 'select(.state != "Success")'
  planrun status --refresh plans/backfill.yaml`

func setupStatus(fs *flag.FlagSet) runFunc {
	s := session.New(fs, "status", session.ServiceGroup|session.RateGroup|session.SelectionGroup)
	s.Out.Register(fs, "output: text, json (JSON Lines, one object per request), html (the grid as a page) or markdown (the grid)",
		append(report.Formats(report.Status), "html", "markdown"), "wide")
	var o session.StatusOptions
	fs.BoolVar(&o.Grid, "grid", false, "draw the requests as a grid of windows in the terminal")
	fs.BoolVar(&o.Refresh, "refresh", false, "ask the service for the state of unfinished jobs first (needs PLAN files)")
	return func(ctx context.Context, paths []string, e *env) error {
		if err := s.Start(e.io()); err != nil {
			return err
		}
		return s.Status(ctx, paths, o)
	}
}
