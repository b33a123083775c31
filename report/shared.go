package report

import (
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/report/layout"
)

// DefaultWidth is the width text tables are fitted to when the terminal's is unknown.
const DefaultWidth = layout.DefaultWidth

// TableWidth is the width to fit text tables to (see layout.TableWidth).
func TableWidth(term int, columns string) int { return layout.TableWidth(term, columns) }

// FailureText returns the Code and Message of a failed result; the message falls back to
// the error when the service gave none (network errors, timeouts).
func FailureText(r executor.Result) (code, message string) { return failureText(r) }
