package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/report"
	"github.com/planrun/planrun/state"
)

const statusUsage = `Usage: planrun status [flags] [PLAN...]

Shows what the state file holds: each request, its job id and last known job state. With PLAN
files, only their plans; with --refresh, asks the service for the current state of unfinished jobs
first (needs credentials, like run).

With --grid, draws the backfill as a grid in the terminal: a line per plan job × input ×
workflow, a block per window (grouped by day, week, month or year when they do not fit the
width, $COLUMNS or the terminal's); --format html writes the same as one self-contained page,
--format markdown as a compact Markdown table. Under GitHub Actions the Markdown grid is also
added to the step summary ($GITHUB_STEP_SUMMARY).

Examples:
  planrun status
  planrun status --grid
  planrun status --format html > backfill.html
  planrun status --format json | jq 'select(.job_state != "Success")'
  planrun status --refresh plans/backfill.yaml`

func cmdStatus(ctx context.Context, args []string, e *env) error {
	var f runFlags
	fs := newFlagSet(e, "status", statusUsage)
	fs.StringVar(&f.state, "state", ".planrun/state.db", "state `file`")
	fs.StringVar(&f.format, "format", "text", "output: text, json (JSON Lines, one object per request), html (the grid as a page) or markdown (the grid)")
	registerExclude(fs, e)
	refresh := fs.Bool("refresh", false, "ask the service for the state of unfinished jobs first (needs PLAN files)")
	grid := fs.Bool("grid", false, "draw the requests as a grid of windows in the terminal")
	f.registerService(fs)
	paths, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := checkFormat(f.format, "text", "json", "html", "markdown"); err != nil {
		return err
	}
	if *grid && f.format != "text" {
		return usagef("status: --grid draws in the terminal; it does not go with --format %s", f.format)
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
	if errors.Is(err, state.ErrReadOnly) && !*refresh {
		store, err = state.OpenReadOnly(f.state) // status only reads
	}
	if err != nil {
		return usageError{fmt.Errorf("status: %w", err)}
	}
	defer store.Close()
	if *refresh {
		if err := store.CheckEndpoint(ctx, endpointLabel(&f)); err != nil {
			return usageError{fmt.Errorf("status: %w", err)}
		}
		api, closeAPI, err := f.client(e)
		if err != nil {
			return err
		}
		defer closeAPI()
		if _, err := executor.Refresh(ctx, api, store, plans, executor.Options{RequestTimeout: f.timeout}); err != nil {
			return configError(e, fmt.Errorf("status: refresh: %w", err))
		}
	}
	names := namesOf(plans)
	if *grid || f.format == "html" || f.format == "markdown" {
		err = printGrid(ctx, e, store, f.format, names)
	} else {
		err = printStatus(ctx, e, store, f.format, names)
	}
	if err != nil {
		return err
	}
	return writeStepSummaryGrid(ctx, e, store, names, nil)
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

// readGrid reads the state's requests of the named plans (all when none), those for which
// keep is true when it is set, into a grid.
func readGrid(ctx context.Context, store *state.Store, plans []string, keep func(name string) bool) (*report.Grid, error) {
	g := report.NewGrid(time.Now())
	for rec, err := range store.Records(ctx, plans...) {
		if err != nil {
			return nil, fmt.Errorf("read state: %w", err)
		}
		if keep == nil || keep(rec.Name) {
			g.Add(report.GridCellFromRecord(rec))
		}
	}
	return g, nil
}

// printGrid writes the grid of the state's requests: as a page (html), as Markdown, or
// drawn for the terminal.
func printGrid(ctx context.Context, e *env, store *state.Store, format string, plans []string) error {
	g, err := readGrid(ctx, store, plans, nil)
	if err != nil {
		return fmt.Errorf("status: %w", err)
	}
	switch format {
	case "html":
		return report.WriteGridHTML(e.stdout, g)
	case "markdown":
		return report.WriteGridMarkdown(e.stdout, g)
	}
	return report.WriteGridTerm(e.stdout, g, termWidth(e), useColor(e))
}

// writeStepSummaryGrid adds the Markdown grid of the state's requests (of the named plans,
// those keep accepts when set) to the GitHub step summary, when there is one.
func writeStepSummaryGrid(ctx context.Context, e *env, store *state.Store, plans []string, keep func(string) bool) error {
	if e.getenv("GITHUB_STEP_SUMMARY") == "" {
		return nil
	}
	g, err := readGrid(ctx, store, plans, keep)
	if err != nil {
		return fmt.Errorf("step summary: %w", err)
	}
	if g.Len() == 0 {
		return nil
	}
	return appendStepSummary(e, func(w *bufio.Writer) error { return report.WriteGridMarkdown(w, g) })
}

// termWidth is the width to draw in: $COLUMNS, else the terminal's, else 80.
func termWidth(e *env) int {
	if n, err := strconv.Atoi(e.getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	if e.isTerminal {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil && w > 0 {
			return w
		}
	}
	return 80
}

// namesOf lists the names of plans.
func namesOf(plans []*plan.Plan) []string {
	var names []string
	for _, p := range plans {
		names = append(names, p.Name)
	}
	return names
}

// writeGridFile writes the grid page of the state's requests (of the named plans, those keep
// accepts when set) to path, with the object counts of their first batch jobs when given.
func writeGridFile(ctx context.Context, path string, store *state.Store, plans []string, keep func(string) bool, counts []executor.ObjectCounts) error {
	g, err := readGrid(ctx, store, plans, keep)
	if err != nil {
		return fmt.Errorf("html %s: %w", path, err)
	}
	for _, c := range counts {
		if c.Attempt <= 1 && (c.Err == nil || c.Objects > 0) {
			g.AddCounts(c.Plan, c.Name, c.Objects, c.Failed)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("html: %w", err)
	}
	werr := report.WriteGridHTML(f, g)
	if err := f.Close(); werr == nil {
		werr = err
	}
	if werr != nil {
		return fmt.Errorf("html %s: %w", path, werr)
	}
	return nil
}
