package report

import "github.com/planrun/planrun/executor"

// The text helpers the sub-packages (report/grid, report/results) render with, so that
// every room of report writes the same cells, widths, colours and failure texts.

// ANSI styles, as the text summary uses them.
const (
	ANSIReset  = ansiReset
	ANSIBold   = ansiBold
	ANSIRed    = ansiRed
	ANSIGreen  = ansiGreen
	ANSIYellow = ansiYellow
	ANSICyan   = ansiCyan
)

// MaxListed caps the failures a summary lists (see maxListed).
const MaxListed = maxListed

// Clean makes service-provided text safe for one line of a terminal or a table.
func Clean(s string) string { return clean(s) }

// MD renders service or plan text as one line of literal Markdown.
func MD(s string) string { return md(s) }

// Paint wraps s in style when color is on.
func Paint(s, style string, color bool) string { return paint(s, style, color) }

// Plural returns "n word" or "n words".
func Plural(n int, word string) string { return plural(n, word) }

// TextWidth is the number of terminal columns s takes.
func TextWidth(s string) int { return textWidth(s) }

// FitLine cuts s to width terminal columns (none when width <= 0).
func FitLine(s string, width int) string { return fitLine(s, width) }

// FailureText returns the Code and Message of a failed result (see failureText).
func FailureText(r executor.Result) (code, message string) { return failureText(r) }
