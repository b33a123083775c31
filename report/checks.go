package report

import (
	"fmt"
	"io"

	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/report/safetext"
)

// WriteChecks renders the outcome of checking plan files (validate, and a run's invalid
// plans) to w in format.
func WriteChecks(w io.Writer, format string, results []plan.FileResult) error {
	sink, err := New(format, w)
	if err != nil {
		return err
	}
	if err := sink.Checks(ChecksOf(results)); err != nil {
		return err
	}
	return sink.Flush()
}

// WriteWarnings writes the plans' warnings, one line each: valid, but probably not meant.
func WriteWarnings(w io.Writer, results []plan.FileResult) {
	for _, r := range results {
		if r.Plan != nil {
			for _, warning := range r.Plan.Warnings {
				fmt.Fprintln(w, "warning:", safetext.Text(warning.String()))
			}
		}
	}
}
