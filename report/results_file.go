package report

import "github.com/planrun/planrun/executor"

// WriteResultsFile writes the object results that read emits into f as JSON Lines (the lines
// of planrun results --format json) and commits f; it returns the totals of the objects
// written and the problems met reading them, one line each. On an error f is dropped.
func WriteResultsFile(f *File, read func(emit func(executor.ObjectResult) error) ([]executor.ObjectCounts, error)) (*ObjectTotals, []string, error) {
	defer f.Abort()
	w := newResultsJSON(f, ResultsOptions{})
	totals := NewObjectTotals()
	counts, err := read(func(r executor.ObjectResult) error {
		totals.Add(&r)
		return w.Write(&r)
	})
	if err == nil {
		err = w.Finish(counts)
	}
	if err == nil {
		err = f.Commit()
	}
	return totals, ProblemLines(counts), err
}
