package report

import (
	"fmt"
	"slices"
	"time"
)

// gridGrouping says how windows were gathered into columns.
type gridGrouping int

const (
	groupNone  gridGrouping = iota // one column per window
	groupDay                       // windows starting on the same day
	groupWeek                      // ... the same ISO week
	groupMonth                     // ... the same month
	groupYear                      // ... the same year
	groupSpan                      // runs of consecutive windows of equal length
)

// gridWindow is one distinct window of the grid.
type gridWindow struct {
	start, end time.Time
}

// gridColumn is one column: a window, a group of windows, or the requests without one.
type gridColumn struct {
	start, end time.Time // the first window's start and the last one's end
	windows    int       // distinct windows in it
	noWindow   bool      // the column of the requests that have no window
	label      string    // short, for headers
	title      string    // long, for tooltips
	tally      GridTally
}

// gridSlot is what a row has in a column.
type gridSlot struct {
	tally GridTally
	worst *GridCell // the first of its worst requests; nil when the slot is empty
}

// state is the slot's worst state; ok is false for an empty slot.
func (s *gridSlot) state() (GridState, bool) {
	if s.worst == nil {
		return 0, false
	}
	return s.worst.State, true
}

// successWithFailures reports whether the slot shows success while objects of its batch
// jobs failed: the grids mark it (a red ring, "!", a yellow square).
func (s *gridSlot) successWithFailures() bool {
	st, ok := s.state()
	return ok && st == GridSuccess && s.tally.ObjectsFailed > 0
}

// gridRow is one plan job × input × workflow.
type gridRow struct {
	plan, job, inputKind, input, workflow string
	slots                                 []gridSlot
	tally                                 GridTally
	folded                                int // inputs added up in this row by fold; 0 for a row of its own
}

// gridLayout is a grid arranged into at most some number of columns.
type gridLayout struct {
	rows      []gridRow
	cols      []gridColumn
	total     GridTally
	grouping  gridGrouping
	windows   int // distinct windows
	multiPlan bool
	// foldedRows, shownRows and allRows say what fold did.
	foldedRows, shownRows, allRows int
}

// groupingNote says how windows were grouped, or "" when each has its own column.
func (l *gridLayout) groupingNote() string {
	word := map[gridGrouping]string{groupDay: "day", groupWeek: "week", groupMonth: "month", groupYear: "year"}[l.grouping]
	n := len(l.cols)
	if n > 0 && l.cols[0].noWindow {
		n--
	}
	switch {
	case l.grouping == groupNone:
		return ""
	case l.grouping == groupSpan:
		return fmt.Sprintf("%d windows grouped into %d columns of consecutive windows; a column shows its worst request", l.windows, n)
	}
	return fmt.Sprintf("%d windows grouped by %s into %d columns; a column shows its worst request", l.windows, word, n)
}

type rowKey struct{ plan, job, inputKind, input, workflow string }

type winKey struct{ start, end int64 }

// layout arranges the grid into at most maxCols columns (at least one per grouping step
// that fits; the column of requests without a window counts as one).
func (g *Grid) layout(maxCols int) *gridLayout {
	maxCols = max(maxCols, 2)
	l := &gridLayout{multiPlan: len(g.Plans) > 1}
	// The distinct windows, in time order.
	seen := map[winKey]bool{}
	var wins []gridWindow
	noWindow := false
	for i := range g.cells {
		c := &g.cells[i]
		if !c.windowed() {
			noWindow = true
			continue
		}
		k := winKey{c.Start.UnixNano(), c.End.UnixNano()}
		if !seen[k] {
			seen[k] = true
			wins = append(wins, gridWindow{c.Start, c.End})
		}
	}
	slices.SortFunc(wins, func(a, b gridWindow) int {
		if c := a.start.Compare(b.start); c != 0 {
			return c
		}
		return a.end.Compare(b.end)
	})
	l.windows = len(wins)
	room := maxCols
	if noWindow {
		room--
		l.cols = append(l.cols, gridColumn{noWindow: true, label: "no window", title: "requests without a window"})
	}
	// Pick the finest grouping that fits.
	colOf := make([]int, len(wins)) // window index -> column index
	keys := make([]string, len(wins))
	for _, grouping := range []gridGrouping{groupNone, groupDay, groupWeek, groupMonth, groupYear, groupSpan} {
		n := 0
		for i, w := range wins {
			keys[i] = groupKey(grouping, w, i, len(wins), room)
			if i == 0 || keys[i] != keys[i-1] {
				n++
			}
		}
		if n <= room || grouping == groupSpan {
			l.grouping = grouping
			break
		}
	}
	base := len(l.cols)
	for i, w := range wins {
		if i == 0 || keys[i] != keys[i-1] {
			l.cols = append(l.cols, gridColumn{start: w.start, end: w.end})
		}
		col := &l.cols[len(l.cols)-1]
		col.windows++
		if w.end.After(col.end) {
			col.end = w.end
		}
		colOf[i] = len(l.cols) - 1
	}
	for i := base; i < len(l.cols); i++ {
		l.cols[i].label, l.cols[i].title = columnLabels(l.grouping, &l.cols[i])
	}
	winCol := make(map[winKey]int, len(wins))
	for i, w := range wins {
		winCol[winKey{w.start.UnixNano(), w.end.UnixNano()}] = colOf[i]
	}
	// Rows in the order their first request came.
	rowOf := map[rowKey]int{}
	for i := range g.cells {
		c := &g.cells[i]
		k := rowKey{c.Plan, c.Job, c.InputKind, c.Input, c.Workflow}
		r, ok := rowOf[k]
		if !ok {
			r = len(l.rows)
			rowOf[k] = r
			l.rows = append(l.rows, gridRow{plan: c.Plan, job: c.Job, inputKind: c.InputKind, input: c.Input,
				workflow: c.Workflow, slots: make([]gridSlot, len(l.cols))})
		}
		col := 0
		if c.windowed() {
			col = winCol[winKey{c.Start.UnixNano(), c.End.UnixNano()}]
		}
		row := &l.rows[r]
		slot := &row.slots[col]
		slot.tally.add(c)
		if slot.worst == nil || c.State.worse(slot.worst.State) {
			slot.worst = c
		}
		row.tally.add(c)
		l.cols[col].tally.add(c)
		l.total.add(c)
	}
	return l
}

// groupKey is the key of window w (the i-th of n) under a grouping: windows of one column
// share it. Calendar groupings read the wall clock of the window's own offset.
func groupKey(grouping gridGrouping, w gridWindow, i, n, room int) string {
	t := w.start
	switch grouping {
	case groupDay:
		return t.Format("2006-01-02")
	case groupWeek:
		y, wk := t.ISOWeek()
		return fmt.Sprintf("%d-W%02d", y, wk)
	case groupMonth:
		return t.Format("2006-01")
	case groupYear:
		return t.Format("2006")
	case groupSpan:
		per := (n + room - 1) / room
		return fmt.Sprint(i / per)
	}
	return fmt.Sprint(i)
}

// columnLabels returns a column's short label and its long title.
func columnLabels(grouping gridGrouping, c *gridColumn) (label, title string) {
	span := fmt.Sprintf("%s → %s", c.start.Format("2006-01-02 15:04"), c.end.Format("2006-01-02 15:04 -0700"))
	windows := ""
	if c.windows > 1 {
		windows = fmt.Sprintf(" (%d windows)", c.windows)
	}
	switch grouping {
	case groupDay:
		return c.start.Format("2006-01-02"), "day " + c.start.Format("Mon 2006-01-02") + windows + ": " + span
	case groupWeek:
		mon := c.start.AddDate(0, 0, -((int(c.start.Weekday()) + 6) % 7))
		y, wk := c.start.ISOWeek()
		return mon.Format("2006-01-02"), fmt.Sprintf("week of Mon %s (%d-W%02d)%s: %s", mon.Format("2006-01-02"), y, wk, windows, span)
	case groupMonth:
		return c.start.Format("2006-01"), c.start.Format("January 2006") + windows + ": " + span
	case groupYear:
		return c.start.Format("2006"), c.start.Format("2006") + windows + ": " + span
	}
	if c.start.Hour() == 0 && c.start.Minute() == 0 && c.start.Second() == 0 {
		label = c.start.Format("2006-01-02")
	} else {
		label = c.start.Format("01-02 15:04")
	}
	return label, "window " + span + windows
}

// windowText renders a request's window for a tooltip.
func windowText(c *GridCell) string {
	if !c.windowed() {
		return "none"
	}
	return fmt.Sprintf("%s → %s", c.Start.Format("2006-01-02 15:04"), c.End.Format("2006-01-02 15:04 -0700"))
}

// rowLabel is a row's name for people: job, input and workflow (and plan when several).
func (l *gridLayout) rowLabel(r *gridRow) string {
	s := r.job
	if l.multiPlan {
		s = r.plan + "/" + s
	}
	if r.input != "" {
		s += " " + r.input
	}
	if r.workflow != "" {
		s += " " + r.workflow
	}
	return clean(s)
}
