package grid

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/plan/request"
)

var gridZone = time.FixedZone("", 8*3600)

// fixtureGrid is a plan of daily windows in January 2024 over two prefixes and two
// workflows, with every state, object counts on some cells, a manifest job without a
// window and a node job.
func fixtureGrid() *Grid {
	g := NewGrid(time.Date(2024, 2, 1, 9, 30, 0, 0, time.UTC))
	day0 := time.Date(2024, 1, 1, 0, 0, 0, 0, gridZone)
	seq := 0
	add := func(c GridCell) {
		c.Plan = "video-backfill"
		if c.Name == "" {
			c.Name = fmt.Sprintf("video-backfill-%s-%d-%08x", c.Job, seq, seq*2654435761%(1<<32))
		}
		if c.State != GridNotSent && c.Code != "InvalidArgument" {
			c.JobID = fmt.Sprintf("i%031x", seq+1)
		}
		seq++
		g.Add(c)
	}
	for _, prefix := range []string{"input/video/", "input/clips/"} {
		for _, wf := range []string{"w7476ff3564ee45b7b490d64bccaba6cc", "w0000000000000000000000000000000a"} {
			for d := range 31 {
				c := GridCell{Key: request.Key{Job: "videos", InputKind: "Prefix", Input: prefix, Workflow: wf,
					Start: day0.AddDate(0, 0, d), End: day0.AddDate(0, 0, d+1)},
					State: GridSuccess, JobState: ciapi.StateSuccess, Objects: 400 + d, HasCounts: true}
				switch {
				case prefix == "input/clips/" && d == 9:
					c.State, c.JobState, c.Code, c.Message = GridFailed, ciapi.StateFailed, "InternalError", "workflow node <Transcode> failed"
					c.ObjectsFailed, c.Attempts = 3, 2 // its retry round folded in
				case prefix == "input/video/" && wf[1] == '7' && d == 4:
					c.ObjectsFailed, c.Attempts = 2, 3 // a success whose batch job had failed objects, retried twice
				case prefix == "input/clips/" && wf[1] == '0' && d >= 10 && d < 14:
					c.State, c.JobState = GridCancelled, ciapi.StateCancel
					c.HasCounts = false
				case d >= 28:
					c.State, c.JobState, c.HasCounts = GridRunning, ciapi.StateRunning, false
				case d == 27:
					c.State, c.JobState, c.HasCounts = GridTriggered, ciapi.StateSubmitted, false
				case wf[1] == '0' && d == 30:
					c.State, c.JobState, c.HasCounts = GridNotSent, "", false
				}
				if prefix == "input/video/" && wf[1] == '0' && d == 30 {
					c.State, c.JobState, c.HasCounts = GridNotSent, "", false
				}
				add(c)
			}
		}
	}
	add(GridCell{Key: request.Key{Job: "from-inventory", InputKind: "Manifest",
		Workflow: "w7476ff3564ee45b7b490d64bccaba6cc",
		Input:    "https://examplebucket-1250000000.cos.ap-beijing.myqcloud.com/cos_bucket_inventory/manifest.json"},
		State: GridFailed, Code: "InvalidArgument", Message: "the manifest does not exist"})
	add(GridCell{Key: request.Key{Job: "transcode-raw", InputKind: "Prefix", Input: "input/raw/", Workflow: "Transcode"},
		State: GridSuccess, JobState: ciapi.StateSuccess, Objects: 12, HasCounts: true})
	return g
}

func TestGridLayoutRowsColumnsTotals(t *testing.T) {
	l := fixtureGrid().layout(100, 0)
	if l.grouping != groupNone || len(l.cols) != 32 || !l.cols[0].noWindow {
		t.Fatalf("grouping %v, %d columns (want none, 1 without window + 31 days)", l.grouping, len(l.cols))
	}
	if len(l.rows) != 6 {
		t.Fatalf("%d rows, want 6 (2 prefixes × 2 workflows, manifest, node)", len(l.rows))
	}
	if l.total.Requests != 126 || l.total.States[GridFailed] != 3 || l.total.States[GridCancelled] != 4 {
		t.Errorf("total %+v", l.total)
	}
	// The failed day of input/clips/ with the first workflow: column of 2024-01-10.
	r := l.rows[2]
	if r.input != "input/clips/" || r.workflow[1] != '7' {
		t.Fatalf("row 2 is %s %s", r.input, r.workflow)
	}
	s := r.slots[10]
	if st, _ := s.state(); st != GridFailed || s.tally.objectsLine() != "3 of 409 objects failed after 2 attempts" {
		t.Errorf("slot 2024-01-10: %v %q", st, s.tally.objectsLine())
	}
	if l.cols[10].label != "2024-01-10" || l.cols[10].tally.Requests != 4 || l.cols[10].tally.States[GridFailed] != 2 {
		t.Errorf("column 10: %q %+v", l.cols[10].label, l.cols[10].tally)
	}
	if r.tally.Requests != 31 || r.tally.States[GridSuccess] != 26 {
		t.Errorf("row tally %+v", r.tally)
	}
}

func TestGridLayoutGroups(t *testing.T) {
	g := NewGrid(time.Time{})
	day0 := time.Date(2024, 1, 1, 0, 0, 0, 0, gridZone)
	for d := range 366 {
		st := GridSuccess
		if d == 40 {
			st = GridFailed
		}
		g.Add(GridCell{Key: request.Key{Plan: "p", Job: "j", Input: "in/", Start: day0.AddDate(0, 0, d),
			End: day0.AddDate(0, 0, d+1)}, State: st})
	}
	for _, tc := range []struct {
		max      int
		grouping gridGrouping
		cols     int
	}{
		{400, groupNone, 366}, {60, groupWeek, 53}, {20, groupMonth, 12}, {5, groupYear, 1},
	} {
		l := g.layout(tc.max, 0)
		if l.grouping != tc.grouping || len(l.cols) != tc.cols {
			t.Errorf("max %d: grouping %v with %d columns, want %v with %d", tc.max, l.grouping, len(l.cols), tc.grouping, tc.cols)
		}
		failed := 0
		for _, s := range l.rows[0].slots {
			if st, _ := s.state(); st == GridFailed {
				failed++
				if s.tally.States[GridFailed] != 1 || s.tally.Requests < 1 {
					t.Errorf("max %d: failed group %+v", tc.max, s.tally)
				}
			}
		}
		if failed != 1 {
			t.Errorf("max %d: %d failed groups, want the one holding 2024-02-10", tc.max, failed)
		}
	}
	if note := g.layout(60, 0).groupingNote(); note != "366 windows grouped by week into 53 columns; a column shows its worst request" {
		t.Errorf("note %q", note)
	}
	// Hourly windows over many years still fit: runs of consecutive windows.
	h := NewGrid(time.Time{})
	for i := range 3000 {
		s := day0.AddDate(i, 0, 0)
		h.Add(GridCell{Key: request.Key{Plan: "p", Job: "j", Start: s, End: s.AddDate(1, 0, 0)}, State: GridSuccess})
	}
	if l := h.layout(40, 0); l.grouping != groupSpan || len(l.cols) > 40 || l.total.Requests != 3000 {
		t.Errorf("3000 yearly windows at 40 columns: grouping %v, %d columns", l.grouping, len(l.cols))
	}
}

func TestGridTermGolden(t *testing.T) {
	var plain, color strings.Builder
	if err := WriteGridTerm(&plain, fixtureGrid(), 80, false); err != nil {
		t.Fatal(err)
	}
	if err := WriteGridTerm(&color, fixtureGrid(), 80, true); err != nil {
		t.Fatal(err)
	}
	golden(t, "grid_term.golden", plain.String())
	golden(t, "grid_term_color.golden", color.String())
	if strings.Contains(plain.String(), "\x1b") {
		t.Error("escape sequences without colour")
	}
	for _, line := range strings.Split(plain.String(), "\n") {
		if n := utf8.RuneCountInString(line); n > 80 {
			t.Errorf("line of %d columns at width 80: %q", n, line)
		}
	}
	if !strings.Contains(plain.String(), "#########X") {
		t.Errorf("the failed day of input/clips/ is not drawn:\n%s", plain.String())
	}
	if !strings.Contains(plain.String(), "####!####") || !strings.Contains(color.String(), gridANSIObjectsFailed+gridGlyphObjectsFailed) {
		t.Errorf("the success day of input/video/ with failed objects is not marked:\n%s", plain.String())
	}
}

func TestGridTermGroupsToFit(t *testing.T) {
	g := NewGrid(time.Time{})
	day0 := time.Date(2024, 1, 1, 0, 0, 0, 0, gridZone)
	for _, in := range []string{"input/a-rather-long-prefix-name/of/some/depth/", "b/"} {
		for d := range 365 {
			g.Add(GridCell{Key: request.Key{Plan: "p", Job: "videos", Input: in,
				Workflow: "w7476ff3564ee45b7b490d64bccaba6cc", Start: day0.AddDate(0, 0, d),
				End: day0.AddDate(0, 0, d+1)}, State: GridSuccess})
		}
	}
	for _, width := range []int{80, 120, 200} {
		var b strings.Builder
		if err := WriteGridTerm(&b, g, width, true); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, line := range strings.Split(stripGridANSI(out), "\n") {
			if n := utf8.RuneCountInString(line); n > width {
				t.Errorf("width %d: line of %d columns: %q", width, n, line)
			}
		}
		if !strings.Contains(out, "grouped by") {
			t.Errorf("width %d: no note on grouping:\n%s", width, out)
		}
	}
}

func stripGridANSI(s string) string {
	for _, code := range gridANSI {
		s = strings.ReplaceAll(s, code, "")
	}
	return stripANSI(s)
}

func TestGridMarkdownGolden(t *testing.T) {
	var b strings.Builder
	if err := WriteGridMarkdown(&b, fixtureGrid()); err != nil {
		t.Fatal(err)
	}
	golden(t, "grid.md.golden", b.String())
	out := b.String()
	if !strings.Contains(out, "| videos | input/clips/ | w7476ff3… | ·"+strings.Repeat("🟩", 9)+"🟥") {
		t.Errorf("row of input/clips/ not as expected:\n%s", out)
	}
}

func TestGridFoldKeepsTheWorstRows(t *testing.T) {
	g := NewGrid(time.Time{})
	for i := range 300 {
		st := GridSuccess
		if i == 250 || i == 7 {
			st = GridFailed
		}
		for _, wf := range []string{"wa", "wb"} {
			g.Add(GridCell{Key: request.Key{Plan: "p", Job: "objects", InputKind: "Object",
				Input: fmt.Sprintf("o/%03d.mp4", i), Workflow: wf}, State: st, Objects: 1, HasCounts: true})
		}
	}
	l := g.layout(10, 50)
	if n := l.foldedRows; n != 552 || len(l.rows) != 50 {
		t.Fatalf("fold(50) folded %d rows into %d rows; want 552 folded, 50 rows", n, len(l.rows))
	}
	var failed []string
	sum := GridTally{}
	for _, r := range l.rows {
		sum.merge(&r.tally)
		if r.tally.States[GridFailed] > 0 && r.folded == 0 {
			failed = append(failed, r.input+" "+r.workflow)
		}
	}
	if strings.Join(failed, ",") != "o/007.mp4 wa,o/007.mp4 wb,o/250.mp4 wa,o/250.mp4 wb" {
		t.Errorf("rows kept with failures: %v", failed)
	}
	last := l.rows[len(l.rows)-1]
	if last.folded != 276 || last.input != "276 more inputs" || last.workflow != "wb" {
		t.Errorf("last row %+v", last)
	}
	if sum != l.total || sum.Requests != 600 {
		t.Errorf("rows add up to %+v, total %+v", sum, l.total)
	}
	if note := l.foldNote(); note != "50 rows shown of 600: those with the worst states; the other 552 are added up in one row per job and workflow (at the end)" {
		t.Errorf("note %q", note)
	}
}

func TestGridEmpty(t *testing.T) {
	g := NewGrid(time.Time{})
	var b strings.Builder
	if err := WriteGridTerm(&b, g, 80, true); err != nil || !strings.Contains(b.String(), "no plan: 0 requests") {
		t.Errorf("terminal: %v\n%s", err, b.String())
	}
	b.Reset()
	if err := WriteGridMarkdown(&b, g); err != nil || !strings.Contains(b.String(), "| Job | Input | Workflow | Windows |") {
		t.Errorf("markdown: %v\n%s", err, b.String())
	}
	b.Reset()
	if err := WriteGridHTML(&b, g); err != nil || strings.Contains(b.String(), "data-state=\"success\" title") {
		t.Errorf("html: %v", err)
	}
}
