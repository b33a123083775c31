package report

import (
	"io"
	"strings"
	"unicode/utf8"
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
// others (numbers) right. Widths count runes, never the escape sequences of colours.
type table struct {
	left int
	rows [][]cell
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
			widths[i] = max(widths[i], utf8.RuneCountInString(c.text))
		}
	}
	var b strings.Builder
	for _, r := range t.rows {
		b.WriteString(indent)
		for i, c := range r {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c.text))
			if i > 0 {
				b.WriteString("  ")
			}
			if i >= t.left {
				b.WriteString(pad)
			}
			b.WriteString(paint(c.text, c.style, color))
			if i < t.left && i < len(r)-1 {
				b.WriteString(pad)
			}
		}
		b.WriteByte('\n')
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
