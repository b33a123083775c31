package session

import (
	"context"
	"fmt"
	"io"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/report"
	"github.com/planrun/planrun/report/results"
	"github.com/planrun/planrun/state"
)

// RunEnd is what the outputs of a run show once it ended, and where they go.
type RunEnd struct {
	Sum  *executor.Summary
	Wait *executor.WaitSummary
	Meta report.Meta
	// Objects are the object totals of --results (nil without), ObjectProblems the
	// problems met reading them, ResultsFile the file they went to.
	Objects        *results.ObjectTotals
	ObjectProblems []string
	ResultsFile    string
	// Format is the format of the summary on Stdout; Color colours the text.
	Format         string
	Stdout, Stderr io.Writer
	Color          bool
	// StepSummary is the GitHub step summary to append to ("" none); HTML the grid page
	// to write ("" none). Both draw the requests of Plans in Store that Keep accepts.
	StepSummary, HTML string
	Store             *state.Store
	Plans             []string
	Keep              func(name string) bool
}

// EndRun renders the end of a run: the summary through out (then flushed: the report
// files are committed), the object totals of --results (after a text summary, else on
// Stderr), the summary and the grid in the GitHub step summary, and the grid page. Every
// output is tried even when one fails; the first error is returned. The grids read the
// state even when ctx is done: the run's state is what they show. The end of ctx (an
// interruption) only bounds how long a FIFO or a device is waited for (output.CreateFile).
func EndRun(ctx context.Context, out report.Sink, end RunEnd) error {
	var first error
	keep := func(err error) {
		if first == nil {
			first = err
		}
	}
	keep(out.RunDone(end.Sum, end.Wait, end.Meta)) // stdout first: the summary is printed even when a file fails
	keep(out.Flush())
	if end.Objects != nil {
		w := end.Stdout
		if end.Format != "text" {
			w = end.Stderr
		}
		keep(results.WriteObjectSummary(w, end.Objects, end.ObjectProblems, end.ResultsFile, end.Color && end.Format == "text"))
	}
	keep(AppendStepSummary(ctx, end.StepSummary, func(s report.Sink) error { return s.RunDone(end.Sum, end.Wait, end.Meta) }))
	read := context.WithoutCancel(ctx)
	if end.StepSummary != "" {
		g, err := ReadGrid(read, end.Store, end.Plans, end.Keep)
		if err != nil {
			keep(fmt.Errorf("step summary: %w", err))
		} else {
			keep(AppendStepSummaryGrid(ctx, end.StepSummary, g))
		}
	}
	if end.HTML != "" {
		g, err := ReadGridPage(read, end.Store, end.Plans, end.Keep, nil)
		if err == nil {
			err = WriteGridPage(ctx, end.HTML, g)
		}
		keep(err)
	}
	return first
}
