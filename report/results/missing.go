package results

import (
	"fmt"
	"io"

	"github.com/planrun/planrun/executor"
)

// WriteMissing tells, one line each, the requests whose batch job could not be looked up,
// and reports whether there was one. When untriggered is set, it also counts in one line
// the requests with no batch job on the service.
func WriteMissing(w io.Writer, missing []executor.Untriggered, untriggered bool) (bad bool) {
	n := 0
	for _, m := range missing {
		if m.Err != nil {
			bad = true
			fmt.Fprintf(w, "planrun: %s/%s: %v\n", m.Plan, m.Job, m.Err)
		} else {
			n++
		}
	}
	if untriggered && n > 0 {
		what := "1 request"
		if n > 1 {
			what = fmt.Sprintf("%d requests", n)
		}
		fmt.Fprintf(w, "planrun: %s of the plans have no batch job on the service (not triggered yet?)\n", what)
	}
	return bad
}

// WriteProblems writes what kept results from being complete (ProblemLines), one
// "planrun: ..." line each, unless format is one that shows them itself (text, markdown;
// "" writes them always). It returns how many there were.
func WriteProblems(w io.Writer, format string, counts []executor.ObjectCounts) int {
	lines := ProblemLines(counts)
	if format != ResultsText && format != ResultsMarkdown {
		for _, line := range lines {
			fmt.Fprintf(w, "planrun: %s\n", line)
		}
	}
	return len(lines)
}
