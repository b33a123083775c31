package report

import (
	"context"
	"fmt"
	"io"
	"iter"
	"time"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/state"
)

// ReadGrid reads the state's requests of the named plans (all when none), those keep
// accepts when it is set, into a grid, with the object counts the state records for their
// batch jobs (see state.Store.ObjectCountsOf).
func ReadGrid(ctx context.Context, store *state.Store, plans []string, keep func(name string) bool) (*Grid, error) {
	g := NewGrid(time.Now())
	// The counts come in the order of the records, each one for a record: walked beside
	// them, so no map of the requests is built.
	next, stop := iter.Pull2(store.ObjectCountsOf(ctx, plans...))
	defer stop()
	counts, cerr, more := next()
	for rec, err := range store.Records(ctx, plans...) {
		if err != nil {
			return nil, fmt.Errorf("read state: %w", err)
		}
		if cerr != nil {
			return nil, fmt.Errorf("read state: %w", cerr)
		}
		c := GridCellFromRecord(rec)
		if more && counts.Plan == rec.Plan && counts.Name == rec.Name {
			c.Objects, c.ObjectsFailed, c.HasCounts = counts.Objects, counts.Failed, true
			counts, cerr, more = next()
		}
		if keep == nil || keep(rec.Name) {
			g.Add(c)
		}
	}
	if cerr != nil {
		return nil, fmt.Errorf("read state: %w", cerr)
	}
	return g, nil
}

// WriteGridPage writes g as one HTML page to path, atomically, with the object counts of
// the requests' first batch jobs when counts are given (planrun results --html): they
// replace those the state recorded.
func WriteGridPage(path string, g *Grid, counts []executor.ObjectCounts) error {
	for _, c := range counts {
		if c.Attempt <= 1 && (c.Err == nil || c.Objects > 0) {
			g.SetCounts(c.Plan, c.Name, c.Objects, c.Failed)
		}
	}
	if err := WriteFile(path, func(w io.Writer) error { return WriteGridHTML(w, g) }); err != nil {
		return fmt.Errorf("html: %w", err)
	}
	return nil
}

// AppendStepSummary appends Markdown to the GitHub step summary at path (the value of
// $GITHUB_STEP_SUMMARY; "" does nothing): what write renders through a Markdown sink.
func AppendStepSummary(path string, write func(Sink) error, opts ...Option) error {
	if path == "" {
		return nil
	}
	err := AppendFile(path, func(w io.Writer) error {
		sink, err := New("markdown", w, opts...)
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
// ("" or an empty grid does nothing).
func AppendStepSummaryGrid(path string, g *Grid) error {
	if path == "" || g.Len() == 0 {
		return nil
	}
	if err := AppendFile(path, func(w io.Writer) error { return WriteGridMarkdown(w, g) }); err != nil {
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
	switch format {
	case "html":
		return WriteGridHTML(w, g)
	case "markdown":
		return WriteGridMarkdown(w, g)
	}
	return WriteGridTerm(w, g, width, color)
}

// WriteStateGridPage writes the grid page of the state's requests (of the named plans,
// those keep accepts when set) to path, with the object counts of their first batch jobs
// when given.
func WriteStateGridPage(ctx context.Context, path string, store *state.Store, plans []string, keep func(string) bool, counts []executor.ObjectCounts) error {
	g, err := ReadGrid(ctx, store, plans, keep)
	if err != nil {
		return fmt.Errorf("html %s: %w", path, err)
	}
	return WriteGridPage(path, g, counts)
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
	return AppendStepSummaryGrid(path, g)
}
