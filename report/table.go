package report

import (
	"io"
	"strings"
)

// ANSI styles of the text summary.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

// cell is one table cell: its text and an optional ANSI style.
type cell struct {
	text, style string
}

// table is an aligned plain-text table: the first `left` columns are aligned left, the
// others (numbers) right. Widths count terminal columns, never the escape sequences of
// colours. When width > 0 the table is fitted to it: columns are elided and dropped as
// specs say (see layoutColumns).
type table struct {
	left  int
	rows  [][]cell
	specs []colSpec
	width int
}

func (t *table) add(cells ...cell) { t.rows = append(t.rows, cells) }

// write renders the table with two spaces between columns, colouring cells when color.
func (t *table) write(w io.Writer, indent string, color bool) error {
	var widths []int
	for _, r := range t.rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], textWidth(c.text))
		}
	}
	l := layoutColumns(widths, t.specs, t.width, textWidth(indent))
	var b strings.Builder
	for _, r := range t.rows {
		l.render(&b, indent, r, t.left, color)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// paint wraps s in style when color is on.
func paint(s, style string, color bool) string {
	if !color || style == "" || s == "" {
		return s
	}
	return style + s + ansiReset
}

// styleIf returns style when n > 0.
func styleIf(n int, style string) string {
	if n > 0 {
		return style
	}
	return ""
}
