package main

import (
	"context"
	"fmt"
	"os"
	"strconv"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/report"
	"github.com/planrun/planrun/state"

	"golang.org/x/term"
)

// printGrid writes the grid of the state's requests: as a page (html), as Markdown, or
// drawn for the terminal.
func printGrid(ctx context.Context, e *env, store *state.Store, format string, plans []string) error {
	g, err := report.ReadGrid(ctx, store, plans, nil)
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
	path := e.getenv("GITHUB_STEP_SUMMARY")
	if path == "" {
		return nil
	}
	g, err := report.ReadGrid(ctx, store, plans, keep)
	if err != nil {
		return fmt.Errorf("step summary: %w", err)
	}
	return report.AppendStepSummaryGrid(path, g)
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

// writeGridFile writes the grid page of the state's requests (of the named plans, those keep
// accepts when set) to path, with the object counts of their first batch jobs when given.
func writeGridFile(ctx context.Context, path string, store *state.Store, plans []string, keep func(string) bool, counts []executor.ObjectCounts) error {
	g, err := report.ReadGrid(ctx, store, plans, keep)
	if err != nil {
		return fmt.Errorf("html %s: %w", path, err)
	}
	return report.WriteGridPage(path, g, counts)
}
