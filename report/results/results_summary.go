package results

import (
	"fmt"
	"io"
	"strings"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/report/layout"
	"github.com/planrun/planrun/report/safetext"
)

// ObjectTotals are the object counts of the summary after run --wait --results.
type ObjectTotals struct {
	Processed, Succeeded, Failed, Running, Other int
	ByCode                                       map[string]int
}

// NewObjectTotals returns empty totals.
func NewObjectTotals() *ObjectTotals { return &ObjectTotals{ByCode: map[string]int{}} }

// Add counts one object's (latest) result.
func (t *ObjectTotals) Add(r *executor.ObjectResult) {
	t.Processed++
	switch r.State {
	case executor.StateSuccess:
		t.Succeeded++
	case executor.StateFailed:
		t.Failed++
		t.ByCode[r.FailureCode()]++
	case executor.StateSubmitted, executor.StateRunning:
		t.Running++
	default:
		t.Other++
	}
}

// WriteObjectSummary writes the object counts that follow the summary of run --wait
// --results ("Objects after --wait: 496 processed, 484 succeeded, 12 failed (InternalError
// 5, ...)"), then the problems met reading them, one line each.
func WriteObjectSummary(w io.Writer, t *ObjectTotals, problems []string, file string, color bool) error {
	var b strings.Builder
	fmt.Fprintf(&b, "\nObjects after --wait: %d processed, %d succeeded, ", t.Processed, t.Succeeded)
	failed := fmt.Sprintf("%d failed", t.Failed)
	if t.Failed > 0 {
		var codes []string
		for _, c := range codesByCount(t.ByCode) {
			codes = append(codes, fmt.Sprintf("%s %d", safetext.Line(c), t.ByCode[c]))
		}
		failed = layout.Paint(failed, layout.ANSIRed, color) + " (" + strings.Join(codes, ", ") + ")"
	}
	b.WriteString(failed)
	if t.Running > 0 {
		fmt.Fprintf(&b, ", %d running", t.Running)
	}
	if t.Other > 0 {
		fmt.Fprintf(&b, ", %d other", t.Other)
	}
	fmt.Fprintf(&b, "; one JSON line per object in %s\n", file)
	for _, line := range problems {
		fmt.Fprintf(&b, "  %s\n", safetext.Line(line))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
