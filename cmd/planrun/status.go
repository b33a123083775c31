package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/report"
	"github.com/planrun/planrun/state"
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
	var f serviceFlags
	var sf selectFlags
	format := fs.String("format", "text", "output: text, json (JSON Lines, one object per request), html (the grid as a page) or markdown (the grid)")
	grid := fs.Bool("grid", false, "draw the requests as a grid of windows in the terminal")
	exclude := registerExclude(fs)
	refresh := fs.Bool("refresh", false, "ask the service for the state of unfinished jobs first (needs PLAN files)")
	f.register(fs)
	sf.register(fs)
	return func(ctx context.Context, paths []string, e *env) error {
		if *format != "html" && *format != "markdown" {
			if err := report.CheckFormat(report.Status, *format); err != nil {
				return usagef("status: %v (or html, markdown)", err)
			}
		}
		if *grid && *format != "text" {
			return usagef("status: --grid draws in the terminal; it does not go with --format %s", *format)
		}
		if *refresh && len(paths) == 0 {
			return usagef("status: --refresh needs the PLAN files whose jobs to refresh")
		}
		if sf.given() && len(paths) == 0 {
			return usagef("status: %s needs the PLAN files whose jobs to show", sf.describe())
		}
		if sf.given() && (*grid || *format == "html" || *format == "markdown") {
			return usagef("status: the grid shows whole plans; it does not go with %s", sf.describe())
		}
		var plans []*plan.Plan
		var sel *plan.Selector
		var err error
		if len(paths) > 0 {
			if plans, err = loadValid(e, paths, *exclude, "text"); err != nil {
				return err
			}
			if sel, err = sf.compile("status", plans); err != nil {
				return err
			}
		}
		statePath := f.statePath()
		if !fileExists(statePath) {
			return usagef("status: no state file at %s (run a plan first, or pass --state)", statePath)
		}
		store, err := state.Open(statePath)
		if errors.Is(err, state.ErrReadOnly) && !*refresh {
			store, err = state.OpenReadOnly(statePath) // status only reads
		}
		if err != nil {
			return usageError{fmt.Errorf("status: %w", err)}
		}
		defer store.Close()
		if *refresh {
			if err := store.CheckEndpoint(ctx, f.label()); err != nil {
				return usageError{fmt.Errorf("status: %w", err)}
			}
			api, closeAPI, err := f.client(e, "status")
			if err != nil {
				return err
			}
			defer closeAPI()
			if _, err := executor.Refresh(ctx, api, store, plans, executor.Options{RequestTimeout: f.timeout, Filter: selFilter(sel)}); err != nil {
				return configError(e, fmt.Errorf("status: %w", err))
			}
		}
		names := plan.Names(plans)
		if *grid || *format == "html" || *format == "markdown" {
			if err = report.WriteStateGrid(ctx, e.stdout, *format, store, names, gridWidth(e), useColor(e)); err != nil {
				err = fmt.Errorf("status: %w", err)
			}
		} else {
			var opts []report.Option
			if len(plans) > 0 {
				opts = append(opts, report.WithInPlan(plan.NewNameSet(plans...).Has))
			}
			keep := func(r *state.Record) bool { return sel.Match(r.Plan, r.Job, r.WindowStart, r.WindowEnd) }
			if err = report.WriteStatus(ctx, e.stdout, *format, store, names, keep, opts...); err != nil {
				err = fmt.Errorf("status: %w", err)
			}
		}
		if err != nil {
			return err
		}
		return report.AppendStepSummaryStateGrid(ctx, e.getenv("GITHUB_STEP_SUMMARY"), store, names, nil)
	}
}
