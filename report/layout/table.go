package layout

import (
	"io"
	"strings"
)

// ANSI styles of the text summary.
const (
	ANSIReset  = "\x1b[0m"
	ANSIBold   = "\x1b[1m"
	ANSIRed    = "\x1b[31m"
	ANSIGreen  = "\x1b[32m"
	ANSIYellow = "\x1b[33m"
	ANSICyan   = "\x1b[36m"
)

// cell is one table cell: its text and an optional ANSI style.
type Cell struct {
	Text, Style string
}

// table is an aligned plain-text table: the first `left` columns are aligned left, the
// others (numbers) right. Widths count terminal columns, never the escape sequences of
// colours. When width > 0 the table is fitted to it: columns are elided and dropped as
// specs say (see layoutColumns).
type Table struct {
	Left  int
	Rows  [][]Cell
	Specs []ColSpec
	Width int
}

func (t *Table) Add(cells ...Cell) { t.Rows = append(t.Rows, cells) }

// write renders the table with two spaces between columns, colouring cells when color.
func (t *Table) Write(w io.Writer, indent string, color bool) error {
	var widths []int
	for _, r := range t.Rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], TextWidth(c.Text))
		}
	}
	l := layoutColumns(widths, t.Specs, t.Width, TextWidth(indent))
	var b strings.Builder
	for _, r := range t.Rows {
		l.render(&b, indent, r, t.Left, color)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// paint wraps s in style when color is on.
func Paint(s, style string, color bool) string {
	if !color || style == "" || s == "" {
		return s
	}
	return style + s + ANSIReset
}

// styleIf returns style when n > 0.
func StyleIf(n int, style string) string {
	if n > 0 {
		return style
	}
	return ""
}
