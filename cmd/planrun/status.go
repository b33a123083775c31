package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/state"
)

const statusUsage = `Usage: planrun status [flags] [PLAN...]

Shows what the state file holds: each request, its job id and last known job state. With PLAN
files, only their plans; with --refresh, asks the service for the current state of unfinished jobs
first (needs credentials, like run).

Examples:
  planrun status
  planrun status --format json | jq 'select(.job_state != "Success")'
  planrun status --refresh plans/backfill.yaml`

func cmdStatus(ctx context.Context, args []string, e *env) error {
	var f runFlags
	fs := newFlagSet(e, "status", statusUsage)
	fs.StringVar(&f.state, "state", ".planrun/state.db", "state `file`")
	fs.StringVar(&f.format, "format", "text", "output: text or json (JSON Lines, one object per request)")
	registerExclude(fs, e)
	refresh := fs.Bool("refresh", false, "ask the service for the state of unfinished jobs first (needs PLAN files)")
	f.registerService(fs)
	paths, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := checkFormat(f.format, "text", "json"); err != nil {
		return err
	}
	if *refresh && len(paths) == 0 {
		return usagef("status: --refresh needs the PLAN files whose jobs to refresh")
	}
	var plans []*plan.Plan
	if len(paths) > 0 {
		if plans, err = loadValid(e, paths, "text"); err != nil {
			return err
		}
	}
	if !fileExists(f.state) {
		return usagef("status: no state file at %s (run a plan first, or pass --state)", f.state)
	}
	store, err := state.Open(f.state)
	if err != nil {
		return usageError{fmt.Errorf("status: %w", err)}
	}
	defer store.Close()
	if *refresh {
		api, closeAPI, err := f.client(e)
		if err != nil {
			return err
		}
		defer closeAPI()
		if _, err := executor.Refresh(ctx, api, store, plans, executor.Options{RequestTimeout: f.timeout}); err != nil {
			return configError(e, fmt.Errorf("status: refresh: %w", err))
		}
	}
	var names []string
	for _, p := range plans {
		names = append(names, p.Name)
	}
	return printStatus(ctx, e, store, f.format, names)
}

type statusRow struct {
	Plan      string `json:"plan"`
	Job       string `json:"job"`
	Name      string `json:"name"`
	Bucket    string `json:"bucket"`
	Region    string `json:"region"`
	Status    string `json:"status"`
	JobID     string `json:"job_id,omitempty"`
	JobState  string `json:"job_state,omitempty"`
	Attempts  int    `json:"attempts"`
	Error     string `json:"error,omitempty"`
	RequestID string `json:"request_id,omitempty"`
	Updated   string `json:"updated"`
}

func printStatus(ctx context.Context, e *env, store *state.Store, format string, plans []string) error {
	enc := json.NewEncoder(e.stdout)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	if format == "text" {
		fmt.Fprintln(tw, "PLAN\tJOB\tNAME\tSTATUS\tJOB ID\tJOB STATE\tATTEMPTS\tERROR")
	}
	counts := map[state.RowStatus]int{}
	n := 0
	for rec, err := range store.Records(ctx, plans...) {
		if err != nil {
			return fmt.Errorf("status: %w", err)
		}
		n++
		counts[rec.Status]++
		errText := ""
		if rec.ErrorCode != "" || rec.ErrorMessage != "" {
			errText = rec.ErrorCode + ": " + rec.ErrorMessage
		}
		if format == "json" {
			row := statusRow{rec.Plan, rec.Job, rec.Name, rec.Bucket, rec.Region, string(rec.Status), rec.JobID, rec.JobState,
				rec.Attempts, errText, rec.RequestID, rec.UpdatedAt.UTC().Format("2006-01-02T15:04:05Z")}
			if err := enc.Encode(&row); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", rec.Plan, rec.Job, rec.Name, rec.Status, dash(rec.JobID), dash(rec.JobState), rec.Attempts, errText)
	}
	if format == "text" {
		tw.Flush()
		fmt.Fprintf(e.stdout, "%s in the state", plural(n, "request"))
		for _, s := range state.RowStatuses {
			if counts[s] > 0 {
				fmt.Fprintf(e.stdout, ", %d %s", counts[s], s)
			}
		}
		fmt.Fprintln(e.stdout)
	}
	return nil
}
