package grid

import (
	"fmt"
	"slices"
	"time"

	"github.com/planrun/planrun/report/safetext"
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
	worst *GridCell   // the first of its worst requests; nil when the slot is empty
	from  *storedCell // while the layout is made: the worst so far
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
	rows     []gridRow
	cols     []gridColumn
	total    GridTally
	grouping gridGrouping
	windows  int // distinct windows
	// manyWindows: more windows than the grid tells apart; windows is a lower bound.
	manyWindows bool
	multiPlan   bool
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
	case l.manyWindows:
		return fmt.Sprintf("more than %d windows grouped into %d columns; a column shows its worst request", l.windows, n)
	case l.grouping == groupSpan:
		return fmt.Sprintf("%d windows grouped into %d columns of consecutive windows; a column shows its worst request", l.windows, n)
	}
	return fmt.Sprintf("%d windows grouped by %s into %d columns; a column shows its worst request", l.windows, word, n)
}

type rowKey struct{ plan, job, inputKind, input, workflow string }

type winKey struct{ start, end int64 }

// layout arranges the grid into at most maxCols columns (at least one per grouping step
// that fits; the column of requests without a window counts as one) and, when maxRows >
// 0, at most maxRows rows: the rows with the worst states, in their order, and one row per
// plan job × workflow that adds up the others (each says how many inputs it holds; see
// foldNote). Only the rows shown get cells, so the layout is as small as what is drawn.
func (g *Grid) layout(maxCols, maxRows int) *gridLayout {
	maxCols = max(maxCols, 2)
	l := &gridLayout{multiPlan: len(g.Plans) > 1, windows: g.winCount, manyWindows: g.manyWins}
	// The buckets in time order.
	order := make([]int, len(g.buckets))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		x, y := &g.buckets[a], &g.buckets[b]
		if c := x.start.Compare(y.start); c != 0 {
			return c
		}
		return x.end.Compare(y.end)
	})
	noWindow := false
	for k := range g.slotOf {
		if k.bucket == gridNoWindowCol {
			noWindow = true
			break
		}
	}
	room := maxCols
	if noWindow {
		room--
		l.cols = append(l.cols, gridColumn{noWindow: true, label: "no window", title: "requests without a window"})
	}
	// Pick the finest grouping that fits, of those the buckets allow.
	colOf := make([]int, len(g.buckets)) // bucket -> column
	keys := make([]string, len(order))
	for _, grouping := range []gridGrouping{groupNone, groupDay, groupWeek, groupMonth, groupYear, groupSpan} {
		if !nests(g.level, grouping) {
			continue
		}
		n := 0
		for i, b := range order {
			if grouping == groupNone || grouping == g.level && grouping != groupSpan {
				keys[i] = fmt.Sprint(i) // a bucket is already one column of this grouping
			} else {
				keys[i] = groupKey(grouping, gridWindow{g.buckets[b].start, g.buckets[b].end}, i, len(order), room)
			}
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
	for i, b := range order {
		w := &g.buckets[b]
		if i == 0 || keys[i] != keys[i-1] {
			l.cols = append(l.cols, gridColumn{start: w.start, end: w.end})
		}
		col := &l.cols[len(l.cols)-1]
		col.windows += max(w.windows, 1)
		if w.end.After(col.end) {
			col.end = w.end
		}
		colOf[b] = len(l.cols) - 1
	}
	for i := base; i < len(l.cols); i++ {
		l.cols[i].label, l.cols[i].title = columnLabels(l.grouping, &l.cols[i])
	}
	// The rows shown: all, or the worst and one per plan job × workflow for the others.
	rowOut := make([]int, len(g.rows))
	l.allRows = 0
	for i := range g.rows {
		l.allRows += max(g.rows[i].folded, 1)
	}
	keep := len(g.rows)
	if maxRows > 0 && len(g.rows) > maxRows {
		_, rank := worstRows(g.rows, 0)
		order := make([]int, len(g.rows))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int { return rank[b] - rank[a] })
		foldsOf := func(rest []int) int {
			seen := map[foldKey]bool{}
			for _, i := range rest {
				r := &g.rows[i]
				seen[foldKey{r.plan, r.job, r.workflow}] = true
			}
			return len(seen)
		}
		// Keep as many rows as leave room for the rows that add up the others; keeping
		// fewer can only need more of those, so keep shrinks until both fit.
		keep = maxRows
		for keep > 0 {
			f := foldsOf(order[keep:])
			if keep+f <= maxRows {
				break
			}
			keep = max(0, maxRows-f)
		}
		keepSet := make([]bool, len(g.rows))
		for _, i := range order[:keep] {
			keepSet[i] = true
		}
		foldAt := map[foldKey]int{}
		var folded []gridRow
		shown := 0
		for i := range g.rows {
			r := &g.rows[i]
			if keepSet[i] {
				rowOut[i] = len(l.rows)
				l.rows = append(l.rows, gridRow{plan: r.plan, job: r.job, inputKind: r.inputKind, input: r.input,
					workflow: r.workflow, tally: r.tally, folded: r.folded})
				if r.folded == 0 {
					shown++
				}
				continue
			}
			k := foldKey{r.plan, r.job, r.workflow}
			j, ok := foldAt[k]
			if !ok {
				j = len(folded)
				foldAt[k] = j
				folded = append(folded, gridRow{plan: r.plan, job: r.job, workflow: r.workflow})
			}
			f := &folded[j]
			f.tally.merge(&r.tally)
			f.folded += max(r.folded, 1)
			rowOut[i] = -1 - j
		}
		for i := range folded {
			folded[i].input = fmt.Sprintf("%d more inputs", folded[i].folded)
		}
		for i := range rowOut {
			if rowOut[i] < 0 {
				rowOut[i] = len(l.rows) + (-1 - rowOut[i])
			}
		}
		l.rows = append(l.rows, folded...)
		l.foldedRows = l.allRows - shown
		l.shownRows = len(l.rows)
	} else {
		shown := 0
		for i := range g.rows {
			r := &g.rows[i]
			rowOut[i] = i
			l.rows = append(l.rows, gridRow{plan: r.plan, job: r.job, inputKind: r.inputKind, input: r.input,
				workflow: r.workflow, tally: r.tally, folded: r.folded})
			if r.folded == 0 {
				shown++
			}
		}
		if shown < len(g.rows) { // the grid folded rows as it read them
			l.foldedRows, l.shownRows = l.allRows-shown, len(l.rows)
		}
	}
	for i := range l.rows {
		l.rows[i].slots = make([]gridSlot, len(l.cols))
	}
	for k, i := range g.slotOf {
		st := &g.slots[i]
		col := 0
		if k.bucket != gridNoWindowCol {
			col = colOf[k.bucket]
		}
		slot := &l.rows[rowOut[k.row]].slots[col]
		t := st.tally.full()
		slot.tally.merge(&t)
		if slot.from == nil || st.worst.state.worse(slot.from.state) ||
			st.worst.state == slot.from.state && st.worst.name < slot.from.name { // the same cell whatever the map's order
			slot.from = &st.worst
		}
		l.cols[col].tally.merge(&t)
		l.total.merge(&t)
	}
	for i := range l.rows {
		for j := range l.rows[i].slots {
			if s := &l.rows[i].slots[j]; s.from != nil {
				s.worst, s.from = s.from.cell(), nil
			}
		}
	}
	return l
}

// nests reports whether columns of grouping can be made of buckets of level: a week is
// made of days, not of months; anything of a window; anything can be spanned.
func nests(level, grouping gridGrouping) bool {
	switch {
	case grouping == groupSpan || level == groupNone:
		return true
	case grouping < level:
		return false
	case level == groupWeek:
		return grouping == groupWeek || grouping == groupYear
	case level == groupMonth:
		return grouping != groupWeek
	}
	return true
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
	if !c.Windowed() {
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
	return safetext.Line(s)
}
