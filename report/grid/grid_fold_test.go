package grid

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/planrun/planrun/plan/request"
	"github.com/planrun/planrun/report/layout"
)

// A grid past its budget folds windows and rows, and still adds up every request.
func TestGridFoldsPastItsBudget(t *testing.T) {
	g := NewGrid(time.Time{})
	g.budget = 2000
	h0 := time.Date(2024, 1, 1, 0, 0, 0, 0, gridZone)
	n := 0
	for row := range 40 {
		for w := range 24 * 90 { // 90 days of hours
			c := GridCell{Key: request.Key{Plan: "p", Job: "j", InputKind: "Prefix",
				Input: fmt.Sprintf("in/%02d/", row), Workflow: "w", Start: h0.Add(time.Duration(w) * time.Hour),
				End: h0.Add(time.Duration(w+1) * time.Hour), Name: fmt.Sprint("n", n)}, State: GridSuccess}
			if n == 4321 {
				c.State, c.Code = GridFailed, "Boom"
			}
			g.Add(c)
			n++
		}
	}
	if len(g.slots) > g.budget || g.level == groupNone {
		t.Fatalf("%d cells kept at level %d, budget %d", len(g.slots), g.level, g.budget)
	}
	l := g.layout(100, 0)
	if l.total.Requests != n || l.total.States[GridFailed] != 1 || l.windows != 24*90 {
		t.Errorf("total %+v, %d windows", l.total, l.windows)
	}
	if l.grouping < groupDay || len(l.cols) > 100 {
		t.Errorf("grouping %d, %d columns", l.grouping, len(l.cols))
	}
	var b strings.Builder
	if err := WriteGridTerm(&b, g, 80, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "86400 requests") || !strings.Contains(b.String(), "2160 windows grouped by") {
		t.Errorf("grid:\n%s", b.String())
	}
	for _, line := range strings.Split(b.String(), "\n") {
		if layout.TextWidth(line) > 80 {
			t.Errorf("line of %d columns: %q", layout.TextWidth(line), line)
		}
	}
	// The failed request is still the one a cell shows.
	found := false
	for _, r := range l.rows {
		for _, s := range r.slots {
			found = found || s.worst != nil && s.worst.Code == "Boom"
		}
	}
	if !found {
		t.Error("the failed request is not shown")
	}

	// Many rows without windows fold into one row per job and workflow.
	g = NewGrid(time.Time{})
	g.budget = 1000
	for i := range 5000 {
		st := GridSuccess
		if i == 4999 {
			st = GridFailed
		}
		g.Add(GridCell{Key: request.Key{Plan: "p", Job: "j", InputKind: "Object", Input: fmt.Sprintf("o/%05d.mp4", i),
			Workflow: "w"}, State: st})
	}
	if len(g.rows) > 1000 {
		t.Fatalf("%d rows kept", len(g.rows))
	}
	l = g.layout(10, 50)
	if l.total.Requests != 5000 || l.allRows != 5000 || l.rows[len(l.rows)-1].input == "" {
		t.Errorf("total %+v, all rows %d", l.total, l.allRows)
	}
	failedShown := false
	for _, r := range l.rows {
		failedShown = failedShown || r.input == "o/04999.mp4"
	}
	if !failedShown {
		t.Error("the failed row was folded away")
	}
}
