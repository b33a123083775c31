package grid

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/planrun/planrun/report/safetext"
)

// gridHTMLColumns caps the columns of the page (a quarter of daily windows fits); more
// windows are grouped. Beyond gridHTMLDense columns the cells are smaller.
const (
	gridHTMLColumns = 100
	gridHTMLDense   = 60
)

// gridHTMLRows and gridHTMLCells cap the rows of the page (at least 100 rows are shown):
// beyond, the rows that look best are added up per plan job and workflow (see fold), so
// that the page stays small enough to open in a few seconds.
const (
	gridHTMLRows  = 2000
	gridHTMLCells = 30000
)

//go:embed html_grid.tmpl
var gridHTMLText string

// gridHTMLTemplate is the page, parsed once.
var gridHTMLTemplate = template.Must(template.New("grid").Parse(gridHTMLText))

// htmlGrid is what the page template reads.
type htmlGrid struct {
	Title, ReadAt, Summary, Objects, Note, FoldNote, NoWindowNote string
	Dense                                                         bool
	Legend                                                        []htmlLegend
	Cols                                                          []htmlColumn
	Rows                                                          []htmlRow
}

type htmlLegend struct {
	State, Label string
	Count        int
}

type htmlColumn struct {
	Label, Title, State string
	Requests, Failed    int
}

type htmlRow struct {
	Job, Input, Workflow, Title string
	Cells                       []htmlCell
	OK, Requests, Failed        int
}

type htmlCell struct {
	State, Title  string
	ObjectsFailed int
}

// WriteGridHTML writes the grid as one self-contained HTML page (inline style and script,
// no external resource of any kind, a Content-Security-Policy that forbids loading any):
// the plan names, when the data was read, a legend with the count of requests per state,
// and a table with a row per plan job × input × workflow and a column per window (grouped
// by day, week, month or year beyond 100 columns, which the page says). Every cell carries
// data-state and a tooltip (its title, shown by a small script as a popup) with the
// request's name, batch job id, window, state, code, message and object counts when known;
// rows and columns have totals.
func WriteGridHTML(w io.Writer, g *Grid) error {
	cols := len(g.layout(gridHTMLColumns, 1).cols) // the columns; the rows follow from them
	l := g.layout(gridHTMLColumns, min(gridHTMLRows, max(100, gridHTMLCells/max(cols, 1))))
	v := htmlGrid{Title: strings.Join(g.Plans, ", "), Summary: l.total.summary(), Objects: l.total.objectsLine(),
		Note: l.groupingNote(), FoldNote: l.foldNote(), Dense: len(l.cols) > gridHTMLDense}
	if v.Title == "" {
		v.Title = "no plan"
	}
	v.Title = safetext.Line(v.Title)
	if !g.ReadAt.IsZero() {
		v.ReadAt = g.ReadAt.UTC().Format(time.DateTime) + " UTC"
	}
	if len(l.cols) > 0 && l.cols[0].noWindow {
		v.NoWindowNote = "The first column holds the requests without a window."
	}
	for s := range gridStates {
		v.Legend = append(v.Legend, htmlLegend{State: s.String(), Label: s.label(), Count: l.total.States[s]})
	}
	for i := range l.cols {
		c := &l.cols[i]
		st, _ := c.tally.worst()
		v.Cols = append(v.Cols, htmlColumn{Label: c.label, Title: c.title + "\n" + c.tally.summary(),
			State: st.String(), Requests: c.tally.Requests, Failed: c.tally.States[GridFailed]})
	}
	v.Rows = make([]htmlRow, len(l.rows))
	for i := range l.rows {
		r := &l.rows[i]
		job := r.job
		if l.multiPlan {
			job = r.plan + "/" + job
		}
		hr := htmlRow{Job: safetext.Line(job), Input: safetext.Line(r.input), Workflow: safetext.Line(shortID(r.workflow)), OK: r.tally.States[GridSuccess],
			Requests: r.tally.Requests, Failed: r.tally.States[GridFailed], Cells: make([]htmlCell, len(r.slots))}
		hr.Title = cleanLines(fmt.Sprintf("plan %s\njob %s\n%s %s\nworkflow %s\n%s", r.plan, r.job, r.inputKind, r.input,
			dashIfEmpty(r.workflow), r.tally.summary()))
		if o := r.tally.objectsLine(); o != "" {
			hr.Title += "\n" + o
		}
		for j := range r.slots {
			hr.Cells[j] = slotHTML(&l.cols[j], &r.slots[j])
		}
		v.Rows[i] = hr
	}
	if err := gridHTMLTemplate.Execute(w, &v); err != nil {
		return fmt.Errorf("write grid page: %w", err)
	}
	return nil
}

// slotHTML is the cell of a slot: its state and its tooltip.
func slotHTML(col *gridColumn, s *gridSlot) htmlCell {
	st, ok := s.state()
	if !ok {
		return htmlCell{}
	}
	var b strings.Builder
	if s.tally.Requests > 1 {
		b.WriteString(col.title + "\n" + s.tally.summary() + "\n")
		if o := s.tally.objectsLine(); o != "" {
			b.WriteString(o + "\n")
		}
		b.WriteString("worst: ")
	}
	c := s.worst
	b.WriteString(c.Name + "\njob id: " + dashIfEmpty(c.JobID) + "\nwindow: " + windowText(c) + "\nstate: " + st.label())
	if c.JobState != "" {
		b.WriteString(" (" + c.JobState + ")")
	}
	if c.Code != "" {
		b.WriteString("\ncode: " + c.Code)
	}
	if c.Message != "" {
		b.WriteString("\nmessage: " + c.Message)
	}
	if c.HasCounts && s.tally.Requests == 1 {
		b.WriteString("\n" + objectsFailed(c.ObjectsFailed, c.Objects, c.Attempts, false))
	}
	return htmlCell{State: st.String(), Title: cleanLines(b.String()), ObjectsFailed: s.tally.ObjectsFailed}
}

// cleanLines is clean for each line of s.
func cleanLines(s string) string {
	lines := strings.Split(s, "\n")
	for i := range lines {
		lines[i] = safetext.Line(lines[i])
	}
	return strings.Join(lines, "\n")
}

// dashIfEmpty returns s, or "-" when it is empty.
func dashIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
