package report

import (
	"fmt"
	"io"

	"github.com/planrun/planrun/executor/follow"
)

// WriteCancelled renders what cancel did, job by job, to w in format, and returns how many
// jobs could not be cancelled.
func WriteCancelled(w io.Writer, format string, results []follow.CancelResult) (failed int, err error) {
	sink, err := New(format, w, For(Cancel))
	if err != nil {
		return 0, err
	}
	for _, r := range results {
		if r.Outcome == follow.CancelError {
			failed++
		}
		if err := sink.Cancelled(r); err != nil {
			return failed, err
		}
	}
	return failed, sink.Flush()
}

// NewCancelled returns the sink that renders what cancel did in format, job by job as
// each outcome arrives (call Cancelled for each, then Flush once); opts may fit the text
// table to a width (WithWidth, WithWide).
func NewCancelled(w io.Writer, format string, opts ...Option) (Sink, error) {
	return New(format, w, append(opts, For(Cancel))...)
}

// WriteDuplicated says, when some names had more than one batch job on the service
// (follow.Duplicated), that each of their jobs is listed.
func WriteDuplicated(w io.Writer, names int) {
	switch {
	case names == 1:
		fmt.Fprintln(w, "planrun: 1 name had more than one job on the service (duplicates); each of their jobs is listed above")
	case names > 1:
		fmt.Fprintf(w, "planrun: %d names had more than one job on the service (duplicates); each of their jobs is listed above\n", names)
	}
}
