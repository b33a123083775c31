package grid

import "fmt"

// merge adds the counts of o.
func (t *GridTally) merge(o *GridTally) {
	t.Requests += o.Requests
	for i := range t.States {
		t.States[i] += o.States[i]
	}
	t.Objects += o.Objects
	t.ObjectsFailed += o.ObjectsFailed
	t.Counted += o.Counted
	t.Attempts = max(t.Attempts, o.Attempts)
}

// foldKey is the row that adds up the folded rows of a plan job and workflow.
type foldKey struct{ plan, job, workflow string }

// foldNote says which rows were folded, or "" when none were.
func (l *gridLayout) foldNote() string {
	if l.foldedRows == 0 {
		return ""
	}
	return fmt.Sprintf("%d rows shown of %d: those with the worst states; the other %d are added up in one row per job and workflow (at the end)",
		l.shownRows, l.allRows, l.foldedRows)
}
