package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/state"
)

const cancelUsage = `Usage: planrun cancel [flags] PLAN...

Cancels the jobs of these plans that are not finished (Submitted, Running or Pause) and reports
each job: cancelled, already finished, or the error. It finds the jobs on the service by their
names, so it also works from a machine without the state file.

Examples:
  planrun cancel plans/backfill.yaml
  planrun cancel --format json plans/backfill.yaml`

func cmdCancel(ctx context.Context, args []string, e *env) error {
	var f runFlags
	fs := newFlagSet(e, "cancel", cancelUsage)
	fs.StringVar(&f.state, "state", ".planrun/state.db", "state `file`")
	fs.StringVar(&f.format, "format", "text", "output: text or json (JSON Lines, one object per job)")
	f.registerService(fs)
	paths, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := checkFormat(f.format, "text", "json"); err != nil {
		return err
	}
	if len(paths) == 0 {
		return usagef("cancel: no plan file given")
	}
	plans, err := loadValid(e, paths, "text")
	if err != nil {
		return err
	}
	api, closeAPI, err := f.client(e)
	if err != nil {
		return err
	}
	defer closeAPI()
	store, err := state.Open(f.state)
	if err != nil {
		return usageError{fmt.Errorf("cancel: %w", err)}
	}
	defer store.Close()
	if err := store.Lock(); err != nil {
		return usageError{fmt.Errorf("cancel: %w", err)}
	}
	if err := store.CheckEndpoint(ctx, endpointLabel(&f)); err != nil {
		return usageError{fmt.Errorf("cancel: %w", err)}
	}
	results, cerr := executor.Cancel(ctx, api, store, plans, executor.Options{RequestTimeout: f.timeout})
	counts := map[string]int{}
	enc := json.NewEncoder(e.stdout)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	if f.format == "text" {
		fmt.Fprintln(tw, "PLAN\tJOB\tNAME\tJOB ID\tSTATE\tOUTCOME")
	}
	for _, r := range results {
		counts[r.Outcome]++
		msg := r.Outcome
		if r.Err != nil {
			msg += ": " + r.Err.Error()
		}
		if f.format == "json" {
			row := map[string]any{"plan": r.Plan, "job": r.Job, "name": r.Name, "job_id": r.JobID, "state": r.State, "outcome": r.Outcome}
			if r.Err != nil {
				row["error"] = r.Err.Error()
			}
			if r.Duplicates > 1 {
				row["duplicates"] = r.Duplicates
			}
			if err := enc.Encode(row); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Plan, r.Job, r.Name, dash(r.JobID), dash(r.State), msg)
	}
	if f.format == "text" {
		tw.Flush()
		fmt.Fprintf(e.stdout, "%s: %d cancelled, %d already finished, %d errors\n", plural(len(results), "job"),
			counts[executor.CancelDone], counts[executor.CancelFinished], counts[executor.CancelError])
	}
	if d := executor.Duplicated(results); d > 0 {
		fmt.Fprintf(e.stderr, "planrun: %s had more than one job on the service (duplicates); each of their jobs is listed above\n",
			plural(d, "name"))
	}
	if cerr != nil {
		return configError(e, fmt.Errorf("cancel: %w", cerr))
	}
	if counts[executor.CancelError] > 0 {
		return exitError{exitFailed}
	}
	return nil
}
