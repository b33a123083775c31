package grid

import (
	"fmt"
	"io"
	"strings"

	"github.com/planrun/planrun/report/layout"
)

// gridMarkdownColumns caps the symbols per line of the Markdown grid.
const gridMarkdownColumns = 40

// gridEmoji are the Markdown grid's symbols, one per state; "·" marks an empty slot.
var gridEmoji = [gridStates]string{GridNotSent: "⬜", GridTriggered: "🟪", GridRunning: "🟦", GridSuccess: "🟩", GridFailed: "🟥", GridCancelled: "🟧"}

// gridEmojiObjectsFailed marks a success whose batch jobs had failed objects.
const gridEmojiObjectsFailed = "🟨"

// WriteGridMarkdown writes the compact grid for a Markdown summary (the GitHub step
// summary): a table with one line per plan job × input × workflow, a symbol per window or
// per group of windows (at most 40), the row's totals (with its objects failed when
// counts are known), and a legend. At most 50 rows: the
// worst ones, the others added up per plan job and workflow.
func WriteGridMarkdown(w io.Writer, g *Grid) error {
	l := g.layout(gridMarkdownColumns, layout.MaxListed)
	var b strings.Builder
	b.WriteString("### Windows\n\n")
	b.WriteString(layout.MD(gridHeadline(g, &l.total)) + "\n\n")
	for _, note := range []string{l.groupingNote(), l.foldNote()} {
		if note != "" {
			b.WriteString(layout.MD(note) + "\n\n")
		}
	}
	span := "Windows"
	if first, last, ok := windowSpan(l); ok {
		span = layout.MD(first + " → " + last)
	}
	objects := l.total.Counted > 0
	if objects {
		b.WriteString("| Job | Input | Workflow | " + span + " | OK | Failed | Objects failed |\n|---|---|---|---|--:|--:|--:|\n")
	} else {
		b.WriteString("| Job | Input | Workflow | " + span + " | OK | Failed |\n|---|---|---|---|--:|--:|\n")
	}
	for i := range l.rows {
		r := &l.rows[i]
		job := r.job
		if l.multiPlan {
			job = r.plan + "/" + job
		}
		var sym strings.Builder
		for j := range r.slots {
			if r.slots[j].successWithFailures() {
				sym.WriteString(gridEmojiObjectsFailed)
			} else if st, ok := r.slots[j].state(); ok {
				sym.WriteString(gridEmoji[st])
			} else {
				sym.WriteString("·")
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %d/%d | %d |", layout.MD(job), layout.MD(r.input), layout.MD(shortID(r.workflow)),
			sym.String(), r.tally.States[GridSuccess], r.tally.Requests, r.tally.States[GridFailed])
		switch {
		case !objects:
		case r.tally.Counted == 0:
			b.WriteString(" |")
		default:
			fmt.Fprintf(&b, " %d of %d%s |", r.tally.ObjectsFailed, r.tally.Objects, afterAttempts(r.tally.Attempts, r.tally.Counted > 1))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n" + layout.MD(gridTotalLine(&l.total)) + "\n\n")
	var legend []string
	for s := range gridStates {
		legend = append(legend, gridEmoji[s]+" "+s.label())
	}
	if l.total.ObjectsFailed > 0 {
		legend = append(legend, gridEmojiObjectsFailed+" success, some objects failed")
	}
	b.WriteString(strings.Join(legend, " · ") + " · · no request\n\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write grid: %w", err)
	}
	return nil
}

// windowSpan is the first and last column labels of the windowed columns.
func windowSpan(l *gridLayout) (first, last string, ok bool) {
	var labels []string
	for _, c := range l.cols {
		if !c.noWindow {
			labels = append(labels, c.label)
		}
	}
	if len(labels) == 0 {
		return "", "", false
	}
	return labels[0], labels[len(labels)-1], true
}
