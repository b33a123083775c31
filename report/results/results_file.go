package results

import (
	"io"

	"github.com/planrun/planrun/executor"
)

// WriteResultsFile writes the object results that read emits to w as JSON Lines (the lines
// of planrun results --format json); it returns the totals of the objects written and the
// problems met reading them, one line each. The caller owns w: it commits the file (see
// output.File) when the error is nil and drops it otherwise.
func WriteResultsFile(w io.Writer, read func(emit func(executor.ObjectResult) error) ([]executor.ObjectCounts, error)) (*ObjectTotals, []string, error) {
	rw := newResultsJSON(w, ResultsOptions{})
	totals := NewObjectTotals()
	counts, err := read(func(r executor.ObjectResult) error {
		totals.Add(&r)
		return rw.Write(&r)
	})
	if err == nil {
		err = rw.Finish(counts)
	}
	return totals, ProblemLines(counts), err
}
