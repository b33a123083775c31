package session

import (
	"context"
	"fmt"
	"io"
	"iter"
	"strings"
	"time"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/output"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/report"
	"github.com/planrun/planrun/report/grid"
	"github.com/planrun/planrun/state"
)

// ReadGrid reads the state's requests of the named plans (all when none), those keep
// accepts when it is set, into a grid, with the object counts the state records for their
// batch jobs (see state.Store.ObjectCountsOf). The requests stream from the state into
// the grid, which adds them up (see grid.Grid): memory does not grow with the state.
func ReadGrid(ctx context.Context, store *state.Store, plans []string, keep func(name string) bool) (*grid.Grid, error) {
	g := grid.NewGrid(time.Now())
	return g, readGrid(ctx, g, store, plans, keep, nil)
}

// gridCounts are object counts (objects, failed, attempts) by plan and request name, to
// use instead of those the state records (planrun results --html).
type gridCounts map[[2]string][3]int

// countsOfFirst keeps the counts of the requests' first batch jobs, those read whole.
func countsOfFirst(counts []executor.ObjectCounts) gridCounts {
	m := gridCounts{}
	for _, c := range counts {
		if c.Attempt <= 1 && (c.Err == nil || c.Objects > 0) {
			m[[2]string{c.Plan, c.Name}] = [3]int{c.Objects, c.Failed, c.Attempts}
		}
	}
	return m
}

// readGrid adds the state's requests to g (see ReadGrid); override replaces the counts
// of the requests it names.
func readGrid(ctx context.Context, g grid.Adder, store *state.Store, plans []string, keep func(name string) bool, override gridCounts) error {
	// The counts come in the order of the records, each one for a record: walked beside
	// them, so no map of the requests is built.
	next, stop := iter.Pull2(store.ObjectCountsOf(ctx, plans...))
	defer stop()
	counts, cerr, more := next()
	type row struct {
		rec  state.Record
		cell grid.GridCell
	}
	rows := func(yield func(row, error) bool) {
		for rec, err := range store.Records(ctx, plans...) {
			if err == nil && cerr != nil {
				err = cerr
			}
			if err != nil {
				yield(row{}, err)
				return
			}
			c := GridCellFromRecord(rec)
			if more && counts.Plan == rec.Plan && counts.Name == rec.Name {
				c.Objects, c.ObjectsFailed, c.HasCounts = counts.Objects, counts.Failed, true
				c.Attempts = max(c.Attempts, counts.Attempts)
				counts, cerr, more = next()
			}
			if o, ok := override[[2]string{rec.Plan, rec.Name}]; ok {
				c.Objects, c.ObjectsFailed, c.HasCounts = o[0], o[1], true
				c.Attempts = max(rec.Attempt(), o[2])
			}
			if !yield(row{rec, c}, nil) {
				return
			}
		}
	}
	// Each request once, at its latest attempt (run --rerun).
	for r, err := range state.LatestBy(rows, func(r *row) *state.Record { return &r.rec }) {
		if err != nil {
			return fmt.Errorf("read state: %w", err)
		}
		if strings.HasSuffix(r.rec.Plan, plan.RetrySuffix) {
			// A retry batch job is folded into the request it came from, whose counts
			// hold its objects at their latest attempt: no row of its own.
			continue
		}
		if keep == nil || keep(r.rec.Name) {
			g.Add(r.cell)
		}
	}
	if cerr != nil {
		return fmt.Errorf("read state: %w", cerr)
	}
	return nil
}

// AppendStepSummary appends Markdown to the GitHub step summary at path (the value of
// $GITHUB_STEP_SUMMARY; "" does nothing): what write renders through a Markdown sink.
// The end of ctx bounds how long a FIFO there is waited for (output.AppendFile).
func AppendStepSummary(ctx context.Context, path string, write func(report.Sink) error, opts ...report.Option) error {
	if path == "" {
		return nil
	}
	err := output.AppendFile(ctx, path, func(w io.Writer) error {
		sink, err := report.New("markdown", w, opts...)
		if err != nil {
			return err
		}
		return write(sink)
	})
	if err != nil {
		return fmt.Errorf("step summary: %w", err)
	}
	return nil
}

// AppendStepSummaryGrid appends g as a Markdown grid to the GitHub step summary at path
// ("" or an empty grid does nothing); ctx as for AppendStepSummary.
func AppendStepSummaryGrid(ctx context.Context, path string, g *grid.Grid) error {
	if path == "" || g.Len() == 0 {
		return nil
	}
	if err := output.AppendFile(ctx, path, func(w io.Writer) error { return report.WriteGrid(w, "markdown", g, 0, false) }); err != nil {
		return fmt.Errorf("step summary: %w", err)
	}
	return nil
}

// WriteStateGrid writes the grid of the state's requests of the named plans to w: as a
// page (format html), as Markdown (markdown), or drawn for a terminal width wide.
func WriteStateGrid(ctx context.Context, w io.Writer, format string, store *state.Store, plans []string, width int, color bool) error {
	g, err := ReadGrid(ctx, store, plans, nil)
	if err != nil {
		return err
	}
	if format != "html" && format != "markdown" {
		format = "text" // drawn for a terminal
	}
	return report.WriteGrid(w, format, g, width, color)
}

// WriteStateGridPage writes the grid page of the state's requests (of the named plans,
// those keep accepts when set) to path, atomically, with the object counts of their first
// batch jobs when given (planrun results --html): they replace those the state recorded.
func WriteStateGridPage(ctx context.Context, path string, store *state.Store, plans []string, keep func(string) bool, counts []executor.ObjectCounts) error {
	g, err := ReadGridPage(ctx, store, plans, keep, counts)
	if err != nil {
		return fmt.Errorf("html %s: %w", path, err)
	}
	return WriteGridPage(ctx, path, g)
}

// ReadGridPage reads the grid of WriteStateGridPage.
func ReadGridPage(ctx context.Context, store *state.Store, plans []string, keep func(string) bool, counts []executor.ObjectCounts) (*grid.Grid, error) {
	g := grid.NewGrid(time.Now())
	return g, readGrid(ctx, g, store, plans, keep, countsOfFirst(counts))
}

// WriteGridPage writes g as a page to path, atomically (the end of ctx bounds how long a
// FIFO there is waited for: output.WriteFile).
func WriteGridPage(ctx context.Context, path string, g *grid.Grid) error {
	if err := output.WriteFile(ctx, path, func(w io.Writer) error { return report.WriteGrid(w, "html", g, 0, false) }); err != nil {
		return fmt.Errorf("html: %w", err)
	}
	return nil
}

// AppendStepSummaryStateGrid adds the Markdown grid of the state's requests (of the named
// plans, those keep accepts when set) to the GitHub step summary at path ("" does nothing).
func AppendStepSummaryStateGrid(ctx context.Context, path string, store *state.Store, plans []string, keep func(string) bool) error {
	if path == "" {
		return nil
	}
	g, err := ReadGrid(ctx, store, plans, keep)
	if err != nil {
		return fmt.Errorf("step summary: %w", err)
	}
	return AppendStepSummaryGrid(ctx, path, g)
}
