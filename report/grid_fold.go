package report

import (
	"fmt"
	"slices"
)

// merge adds the counts of o.
func (t *GridTally) merge(o *GridTally) {
	t.Requests += o.Requests
	for i := range t.States {
		t.States[i] += o.States[i]
	}
	t.Objects += o.Objects
	t.ObjectsFailed += o.ObjectsFailed
	t.Counted += o.Counted
}

type foldKey struct{ plan, job, workflow string }

// fold keeps at most maxRows rows: the rows with the worst states (in their order), and one
// row per plan job × workflow that adds up the others (each says how many inputs it holds).
// It returns how many rows were folded away; the layout then has a foldNote.
func (l *gridLayout) fold(maxRows int) int {
	if maxRows <= 0 || len(l.rows) <= maxRows {
		return 0
	}
	rank := make([]int, len(l.rows))
	order := make([]int, len(l.rows))
	for i := range l.rows {
		order[i] = i
		if s, ok := l.rows[i].tally.worst(); ok {
			rank[i] = gridRank[s]
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return rank[b] - rank[a] })
	foldsOf := func(rest []int) int {
		seen := map[foldKey]bool{}
		for _, i := range rest {
			r := &l.rows[i]
			seen[foldKey{r.plan, r.job, r.workflow}] = true
		}
		return len(seen)
	}
	// Keep as many rows as leave room for the rows that add up the others; keeping fewer
	// can only need more of those, so keep shrinks until both fit (or nothing is kept).
	keep := maxRows
	for keep > 0 {
		f := foldsOf(order[keep:])
		if keep+f <= maxRows {
			break
		}
		keep = max(0, maxRows-f)
	}
	kept := make([]bool, len(l.rows))
	for _, i := range order[:keep] {
		kept[i] = true
	}
	var rows, folded []gridRow
	foldAt := map[foldKey]int{}
	inputs := map[foldKey]int{}
	for i := range l.rows {
		r := &l.rows[i]
		if kept[i] {
			rows = append(rows, *r)
			continue
		}
		k := foldKey{r.plan, r.job, r.workflow}
		inputs[k]++
		j, ok := foldAt[k]
		if !ok {
			j = len(folded)
			foldAt[k] = j
			folded = append(folded, gridRow{plan: r.plan, job: r.job, workflow: r.workflow, slots: make([]gridSlot, len(l.cols))})
		}
		f := &folded[j]
		f.tally.merge(&r.tally)
		for c := range r.slots {
			s, d := &r.slots[c], &f.slots[c]
			d.tally.merge(&s.tally)
			if s.worst != nil && (d.worst == nil || s.worst.State.worse(d.worst.State)) {
				d.worst = s.worst
			}
		}
	}
	for i := range folded {
		f := &folded[i]
		n := inputs[foldKey{f.plan, f.job, f.workflow}]
		f.input = fmt.Sprintf("%d more inputs", n)
		f.folded = n
	}
	l.foldedRows = len(l.rows) - keep
	l.shownRows = len(rows) + len(folded)
	l.allRows = len(l.rows)
	l.rows = append(rows, folded...)
	return l.foldedRows
}

// foldNote says which rows were folded, or "" when none were.
func (l *gridLayout) foldNote() string {
	if l.foldedRows == 0 {
		return ""
	}
	return fmt.Sprintf("%d rows shown of %d: those with the worst states; the other %d are added up in one row per job and workflow (at the end)",
		l.shownRows, l.allRows, l.foldedRows)
}
