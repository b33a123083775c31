package report

import (
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/state"
)

// GridState is the state of one request as the grid shows it: what happened to the request
// and, once its batch job exists, the batch job's last known state.
type GridState uint8

// The grid states, in the order of the legend.
const (
	GridNotSent   GridState = iota // planned, or a create whose outcome is not known yet
	GridTriggered                  // the batch job exists; not seen running yet (Submitted)
	GridRunning                    // the batch job runs (Running, Pause)
	GridSuccess                    // the batch job ended Success
	GridFailed                     // the request failed, or its batch job ended Failed or vanished
	GridCancelled                  // the batch job ended Cancel
	gridStates
)

// gridStateNames are the names of the grid states, as written in data-state and JSON.
var gridStateNames = [gridStates]string{"not_sent", "triggered", "running", "success", "failed", "cancelled"}

// gridStateLabels are the names people read in legends and tooltips.
var gridStateLabels = [gridStates]string{"not sent", "triggered", "running", "success", "failed", "cancelled"}

// gridRank orders the states from best to worst: a group of requests shows its worst one.
var gridRank = [gridStates]int{GridSuccess: 0, GridRunning: 1, GridTriggered: 2, GridNotSent: 3, GridCancelled: 4, GridFailed: 5}

// String returns the state's name: not_sent, triggered, running, success, failed or cancelled.
func (s GridState) String() string {
	if s >= gridStates {
		return fmt.Sprintf("GridState(%d)", uint8(s))
	}
	return gridStateNames[s]
}

// label is the state's name for people.
func (s GridState) label() string { return gridStateLabels[s] }

// worse reports whether s is worse than t.
func (s GridState) worse(t GridState) bool { return gridRank[s] > gridRank[t] }

// GridStateOf maps a request's status (state.RowPlanned ... or executor.StatusPlanned ...)
// and its batch job's last known state (ciapi.StateSubmitted ..., executor.StateNotFound)
// to a grid state.
func GridStateOf(status, jobState string) GridState {
	switch status {
	case string(state.RowPlanned), string(state.RowSending):
		return GridNotSent
	case string(state.RowFailed):
		return GridFailed
	}
	switch jobState {
	case ciapi.StateRunning, ciapi.StatePause:
		return GridRunning
	case ciapi.StateSuccess:
		return GridSuccess
	case ciapi.StateFailed, executor.StateNotFound:
		return GridFailed
	case ciapi.StateCancel:
		return GridCancelled
	}
	return GridTriggered
}

// GridCell is one request of the grid.
type GridCell struct {
	Plan      string
	Job       string // the plan job
	InputKind string // Prefix, Manifest, UrlFile or Object
	Input     string
	Workflow  string // the workflow id, or the node job's tag; may be empty
	// Start and End are the request's upload-time window; both zero without one.
	Start, End time.Time
	Name       string // the request's job Name
	JobID      string // the batch job id, once known
	State      GridState
	JobState   string // the service's own word for the batch job's state, if known
	Code       string
	Message    string
	// Objects and ObjectsFailed count the batch job's objects when HasCounts.
	Objects, ObjectsFailed int
	HasCounts              bool
}

// GridCellFromRecord turns a row of the state file into a cell.
func GridCellFromRecord(r state.Record) GridCell {
	c := GridCell{Plan: r.Plan, Job: r.Job, InputKind: r.InputKind, Input: r.Input, Workflow: r.Workflow,
		Name: r.Name, JobID: r.JobID, JobState: r.JobState, Code: r.ErrorCode, Message: r.ErrorMessage,
		State: GridStateOf(string(r.Status), r.JobState)}
	c.Start, c.End = parseWindow(r.WindowStart, r.WindowEnd)
	return c
}

// GridCellFromResult turns the result of a request of a run into a cell.
func GridCellFromResult(r executor.Result) GridCell {
	code, msg := failureText(r)
	c := GridCell{Plan: r.Plan, Job: r.Job, InputKind: r.InputKind, Input: r.Input, Workflow: r.Workflow,
		Name: r.Name, JobID: r.JobID, JobState: r.JobState, Code: code, Message: msg,
		State: GridStateOf(string(r.Status), r.JobState)}
	c.Start, c.End = parseWindow(r.WindowStart, r.WindowEnd)
	return c
}

// parseWindow reads a window written in the service's time format; unreadable or empty
// bounds give no window.
func parseWindow(start, end string) (time.Time, time.Time) {
	s, err1 := time.Parse(ciapi.TimeFormat, start)
	e, err2 := time.Parse(ciapi.TimeFormat, end)
	if err1 != nil || err2 != nil {
		return time.Time{}, time.Time{}
	}
	return s, e
}

// windowed reports whether the cell has a window.
func (c *GridCell) windowed() bool { return !c.Start.IsZero() || !c.End.IsZero() }

// Grid is a backfill at a glance: one row per plan job × input × workflow, one column per
// window, one cell per request. Renderers group windows into days, weeks, months or years
// when there are more than they can show.
type Grid struct {
	// Plans names the plans shown, in the order they appeared.
	Plans []string
	// ReadAt is when the data was read.
	ReadAt time.Time
	cells  []GridCell
	byName map[[2]string]int // (plan, request name) -> index in cells; built by SetCounts
}

// NewGrid starts an empty grid read at readAt.
func NewGrid(readAt time.Time) *Grid { return &Grid{ReadAt: readAt} }

// Add adds one request.
func (g *Grid) Add(c GridCell) {
	if len(g.Plans) == 0 || g.Plans[len(g.Plans)-1] != c.Plan {
		seen := false
		for _, p := range g.Plans {
			seen = seen || p == c.Plan
		}
		if !seen {
			g.Plans = append(g.Plans, c.Plan)
		}
	}
	g.cells = append(g.cells, c)
	if g.byName != nil {
		g.byName[[2]string{c.Plan, c.Name}] = len(g.cells) - 1
	}
}

// SetCounts sets the object counts of the request named name of plan planName (a later
// call replaces them); it reports false when the grid has no such request.
func (g *Grid) SetCounts(planName, name string, objects, failed int) bool {
	if g.byName == nil {
		g.byName = make(map[[2]string]int, len(g.cells))
		for i := range g.cells {
			g.byName[[2]string{g.cells[i].Plan, g.cells[i].Name}] = i
		}
	}
	i, ok := g.byName[[2]string{planName, name}]
	if !ok {
		return false
	}
	c := &g.cells[i]
	c.Objects, c.ObjectsFailed, c.HasCounts = objects, failed, true
	return true
}

// Len is the number of requests in the grid.
func (g *Grid) Len() int { return len(g.cells) }

// GridFromRecords reads the rows of a state file (state.Store.Records) into a grid.
func GridFromRecords(records iter.Seq2[state.Record, error], readAt time.Time) (*Grid, error) {
	g := NewGrid(readAt)
	for r, err := range records {
		if err != nil {
			return nil, err
		}
		g.Add(GridCellFromRecord(r))
	}
	return g, nil
}

// GridFromResults puts the results of a run into a grid.
func GridFromResults(results []executor.Result, readAt time.Time) *Grid {
	g := NewGrid(readAt)
	for _, r := range results {
		g.Add(GridCellFromResult(r))
	}
	return g
}

// GridTally counts the requests of a row, a column, a group or the whole grid.
type GridTally struct {
	Requests int
	States   [gridStates]int
	// Objects and ObjectsFailed add up the object counts of the Counted requests that have them.
	Objects, ObjectsFailed, Counted int
}

// add counts one request.
func (t *GridTally) add(c *GridCell) {
	t.Requests++
	t.States[c.State]++
	if c.HasCounts {
		t.Counted++
		t.Objects += c.Objects
		t.ObjectsFailed += c.ObjectsFailed
	}
}

// worst is the worst state counted; ok is false when nothing was.
func (t *GridTally) worst() (s GridState, ok bool) {
	for i := range gridStates {
		if t.States[i] > 0 && (!ok || i.worse(s)) {
			s, ok = i, true
		}
	}
	return s, ok
}

// summary reads "7 requests: 6 success, 1 failed" (states in legend order).
func (t *GridTally) summary() string {
	var parts []string
	for i := range gridStates {
		if t.States[i] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", t.States[i], i.label()))
		}
	}
	return plural(t.Requests, "request") + ": " + strings.Join(parts, ", ")
}

// objectsLine reads "3 of 412 objects failed", or "" when no counts are known.
func (t *GridTally) objectsLine() string {
	if t.Counted == 0 {
		return ""
	}
	s := fmt.Sprintf("%d of %d objects failed", t.ObjectsFailed, t.Objects)
	if t.Counted < t.Requests {
		s += fmt.Sprintf(" (counts known for %d of %d requests)", t.Counted, t.Requests)
	}
	return s
}
