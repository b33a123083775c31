package grid

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/planrun/planrun/report/layout"
	"github.com/planrun/planrun/report/safetext"
)

// gridTermRows caps the rows drawn in a terminal; beyond, rows are folded (see fold).
const gridTermRows = 200

// gridPlain are the terminal grid's characters without colour, one per state.
var gridPlain = [gridStates]string{GridNotSent: ".", GridTriggered: "+", GridRunning: ">", GridSuccess: "#", GridFailed: "X", GridCancelled: "-"}

// gridANSI are the terminal grid's colours, one per state.
var gridANSI = [gridStates]string{GridNotSent: "\x1b[90m", GridTriggered: "\x1b[36m", GridRunning: "\x1b[34m", GridSuccess: layout.ANSIGreen, GridFailed: layout.ANSIRed, GridCancelled: layout.ANSIYellow}

// gridPlainObjectsFailed and gridANSIObjectsFailed draw a success slot whose batch jobs
// had failed objects: "!", or a block half green, half red.
const (
	gridPlainObjectsFailed = "!"
	gridANSIObjectsFailed  = "\x1b[31;42m"
	gridGlyphObjectsFailed = "▄"
)

// writeBlocks writes a character per slot: a coloured block (one escape per run of the same
// colour), or a plain character per state; a space for an empty slot.
func writeBlocks(b *strings.Builder, slots []gridSlot, color bool) {
	style := ""
	for i := range slots {
		st, ok := slots[i].state()
		marked := slots[i].successWithFailures()
		switch {
		case !color && marked:
			b.WriteString(gridPlainObjectsFailed)
		case !color && ok:
			b.WriteString(gridPlain[st])
		case !color:
			b.WriteByte(' ')
		case !ok:
			if style != "" {
				b.WriteString(layout.ANSIReset)
				style = ""
			}
			b.WriteByte(' ')
		default:
			want, glyph := gridANSI[st], "█"
			if marked {
				want, glyph = gridANSIObjectsFailed, gridGlyphObjectsFailed
			}
			if style != want {
				if style != "" {
					b.WriteString(layout.ANSIReset) // the mark sets a background: end it
				}
				style = want
				b.WriteString(style)
			}
			b.WriteString(glyph)
		}
	}
	if style != "" {
		b.WriteString(layout.ANSIReset)
	}
}

// WriteGridTerm draws the grid for a terminal width columns wide: a line per plan job ×
// input × workflow with one character per window (or per group of windows when they do not
// fit, which a note says), the row's totals, then the grid's totals and a legend. With color
// the characters are coloured blocks; without, one plain character per state.
func WriteGridTerm(w io.Writer, g *Grid, width int, color bool) error {
	width = max(width, 40)
	full := g.layout(2, gridTermRows) // the rows and their labels; the columns do not matter
	labels := make([]string, len(full.rows))
	totals := make([]string, len(full.rows))
	labelW, totalsW, fullW := 0, 0, 0
	for i := range full.rows {
		labels[i] = termRowLabel(full, &full.rows[i], 1<<30)
		totals[i] = rowTotals(&full.rows[i].tally)
		labelW = max(labelW, utf8.RuneCountInString(labels[i]))
		totalsW = max(totalsW, utf8.RuneCountInString(totals[i]))
	}
	fullW = labelW
	labelW = min(labelW, max(12, width*3/10))
	room := width - labelW - totalsW - 2
	if room < 8 {
		labelW = max(4, labelW-(8-room))
		room = max(2, width-labelW-totalsW-2)
	}
	l := g.layout(room, gridTermRows)
	// Columns grouped to fit leave room: labels get it back.
	labelW = min(fullW, labelW+room-len(l.cols))
	for i := range l.rows {
		labels[i] = termRowLabel(l, &l.rows[i], labelW)
	}

	var b strings.Builder
	b.WriteString(layout.Paint(layout.FitLine(gridHeadline(g, &l.total), width), layout.ANSIBold, color) + "\n")
	for _, note := range []string{l.groupingNote(), l.foldNote()} {
		if note != "" {
			b.WriteString(wrapText(note, width) + "\n")
		}
	}
	if len(l.cols) > 0 && l.cols[0].noWindow {
		b.WriteString("The first column (-) holds the requests without a window.\n")
	}
	b.WriteByte('\n')
	b.WriteString(axisLine(l, labelW+1) + "\n")
	for i := range l.rows {
		r := &l.rows[i]
		label := fitText(labels[i], labelW)
		b.WriteString(label + strings.Repeat(" ", labelW-utf8.RuneCountInString(label)) + " ")
		writeBlocks(&b, r.slots, color)
		b.WriteString(strings.Repeat(" ", len(l.cols)-len(r.slots)+1))
		style := ""
		if r.tally.States[GridFailed] > 0 {
			style = layout.ANSIRed
		}
		b.WriteString(layout.Paint(totals[i], style, color) + "\n")
	}
	b.WriteString("\n" + wrapText(gridTotalLine(&l.total), width) + "\n")
	var legend []string
	line := 0 // columns of the legend's current line
	for s := range gridStates {
		sym := gridPlain[s]
		if color {
			sym = gridANSI[s] + "█" + layout.ANSIReset
		}
		item := sym + " " + s.label()
		if n := 2 + layout.TextWidth(s.label()); line > 0 && line+2+n > width {
			item, line = "\n"+item, n // the line is full: the item starts the next one
		} else {
			line += 2*min(line, 1) + n
		}
		legend = append(legend, item)
	}
	if l.total.ObjectsFailed > 0 {
		sym := gridPlainObjectsFailed
		if color {
			sym = gridANSIObjectsFailed + gridGlyphObjectsFailed + layout.ANSIReset
		}
		legend = append(legend, "\n"+sym+" success, some objects failed")
	}
	b.WriteString(strings.ReplaceAll(strings.Join(legend, "  "), "  \n", "\n") + "\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write grid: %w", err)
	}
	return nil
}

// gridHeadline reads "video-backfill: 1460 requests in 3 rows, read 2024-05-01 08:00:00 UTC".
func gridHeadline(g *Grid, total *GridTally) string {
	name := strings.Join(g.Plans, ", ")
	if name == "" {
		name = "no plan"
	}
	s := safetext.Line(name) + ": " + layout.Plural(total.Requests, "request")
	if !g.ReadAt.IsZero() {
		s += ", read " + g.ReadAt.UTC().Format(time.DateTime) + " UTC"
	}
	return s
}

// gridTotalLine reads "total: 7 requests: 6 success, 1 failed; 3 of 412 objects failed".
func gridTotalLine(t *GridTally) string {
	s := "total: " + t.summary()
	if o := t.objectsLine(); o != "" {
		s += "; " + o
	}
	return s
}

// rowTotals reads "363/365 ok", with " 2 failed" when any failed. (Objects failed are in
// the total line and marked "!" in the row: a wider total would group the windows sooner.)
func rowTotals(t *GridTally) string {
	s := fmt.Sprintf("%d/%d ok", t.States[GridSuccess], t.Requests)
	if n := t.States[GridFailed]; n > 0 {
		s += fmt.Sprintf(" %d failed", n)
	}
	return s
}

// termRowLabel is a row's label in at most width runes: job, input and the workflow id
// shortened; the input is cut (ending in "…") when the whole does not fit.
func termRowLabel(l *gridLayout, r *gridRow, width int) string {
	head := r.job
	if l.multiPlan {
		head = r.plan + "/" + head
	}
	tail := ""
	if r.workflow != "" {
		tail = " " + shortID(r.workflow)
	}
	head, tail = safetext.Line(head), safetext.Line(tail)
	input := safetext.Line(r.input)
	if input != "" {
		room := width - utf8.RuneCountInString(head) - utf8.RuneCountInString(tail) - 1
		if room < 4 {
			return fitText(head+" "+input+tail, width)
		}
		input = " " + fitText(input, room)
	}
	return fitText(head+input+tail, width)
}

// shortID shortens a long id (a workflow id is 33 characters) to its first 8 and "…".
func shortID(s string) string {
	if utf8.RuneCountInString(s) <= 12 {
		return s
	}
	return string([]rune(s)[:8]) + "…"
}

// fitText cuts s to n runes, ending with "…" when it had to cut.
func fitText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 1 {
		return string([]rune(s)[:n])
	}
	return string([]rune(s)[:n-1]) + "…"
}

// axisLine puts column labels over the columns, each where it fits after the previous one.
func axisLine(l *gridLayout, indent int) string {
	line := []rune(strings.Repeat(" ", indent))
	next := 0
	for i, c := range l.cols {
		if i < next {
			continue
		}
		label := []rune(c.label)
		if c.noWindow {
			label = []rune("-")
		}
		line = append(line, []rune(strings.Repeat(" ", indent+i-len(line)))...)
		line = append(line, label...)
		next = i + len(label) + 1
	}
	return strings.TrimRight(string(line), " ")
}

// wrapText breaks s into lines of at most width runes at spaces.
func wrapText(s string, width int) string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		switch {
		case line == "":
			line = word
		case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(word) <= width:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	return strings.Join(append(lines, line), "\n")
}
