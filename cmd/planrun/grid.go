package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/report"
	"github.com/planrun/planrun/state"

	"golang.org/x/term"
)

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
	return report.WriteGridTerm(e.stdout, g, gridWidth(e), useColor(e))
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
	if err := report.AppendFile(e.getenv("GITHUB_STEP_SUMMARY"), func(w io.Writer) error { return report.WriteGridMarkdown(w, g) }); err != nil {
		return fmt.Errorf("step summary: %w", err)
	}
	return nil
}

// gridWidth is the width to draw in: $COLUMNS, else the terminal's, else 80.
func gridWidth(e *env) int {
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
	if err := report.WriteFile(path, func(w io.Writer) error { return report.WriteGridHTML(w, g) }); err != nil {
		return fmt.Errorf("html: %w", err)
	}
	return nil
}
