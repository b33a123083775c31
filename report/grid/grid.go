package grid

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/planrun/planrun/plan/request"
	"github.com/planrun/planrun/report/layout"
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

// GridCell is one request of the grid.
type GridCell struct {
	// Key is the request: the grid reads its plan, job, input, workflow (the node job's
	// tag when Workflow is empty and the cell says so), window and Name.
	request.Key
	JobID    string // the batch job id, once known
	State    GridState
	JobState string // the service's own word for the batch job's state, if known
	Code     string
	Message  string
	// Objects and ObjectsFailed count the batch job's objects when HasCounts.
	Objects, ObjectsFailed int
	HasCounts              bool
	// Attempts is how many times the request's objects were tried at most (its retries
	// and re-runs folded in; 0 or 1: once).
	Attempts int
}

// Grid is a backfill at a glance: one row per plan job × input × workflow, one column per
// window, one cell per request. Renderers group windows into days, weeks, months or years
// when there are more than they can show.
//
// A Grid holds no request: it adds each one up as it comes, per row and per bucket of
// windows, keeping of each (row, bucket) its counts and its worst request. Past a budget
// of such cells it folds its buckets into coarser ones (windows into days, days into
// months, months into years) and, when windows are not what makes it large, rows with
// the best states into one row per plan job and workflow, as the renderers would. So a
// grid of a million requests (a grid of weeks or months anyway) stays within a few tens of
// MiB, read straight from the state.
type Grid struct {
	// Plans names the plans shown, in the order they appeared.
	Plans []string
	// ReadAt is when the data was read.
	ReadAt time.Time

	n        int          // requests added
	level    gridGrouping // what a bucket holds: a window (groupNone), a day, a month or a year
	buckets  []gridBucket
	bucketOf map[bucketKey]int32
	wins     map[winKey]struct{} // distinct windows, until there are more than gridWindowsCap
	winCount int                 // distinct windows (a lower bound once wins is dropped)
	manyWins bool                // wins was dropped
	rows     []gridStoredRow
	rowOf    map[rowKey]int32
	slotOf   map[slotKey]int32
	slots    []gridStored
	budget   int             // cells (row × bucket) kept before folding; 0: gridCellBudget
	trace    func(*GridCell) // tests: sees every request added
}

// Budgets of a Grid: the (row, bucket) cells it keeps, the rows, and the distinct windows
// it tells apart. A renderer shows at most a few hundred columns and 2,000 rows.
const (
	gridCellBudget  = 1 << 16
	gridRowBudget   = 1 << 15
	gridWindowsCap  = 1 << 18
	gridNoWindowCol = -1 // the bucket of requests without a window
)

// gridBucket is a window, or the windows of a day, a month or a year (Grid.level).
type gridBucket struct {
	start, end time.Time // the first window's start and the latest end
	windows    int       // distinct windows in it
}

type bucketKey struct {
	label string // the day, month or year
	win   winKey // level groupNone: the window
}

type slotKey struct{ row, bucket int32 }

// gridStoredRow is a row as a Grid keeps it.
type gridStoredRow struct {
	plan, job, inputKind, input, workflow string
	tally                                 GridTally
	folded                                int // inputs added up in this row; 0 for a row of its own
}

// gridStored is what a Grid keeps of one (row, bucket): the counts and the worst request,
// both compact (a grid keeps tens of thousands of them).
type gridStored struct {
	tally tally32
	worst storedCell
}

// tally32 is a GridTally in 32-bit counts.
type tally32 struct {
	requests, objects, objectsFailed, counted, attempts int32
	states                                              [gridStates]int32
}

func (t *tally32) add(c *GridCell) {
	t.requests++
	t.states[c.State]++
	if c.HasCounts {
		t.counted++
		t.objects += int32(c.Objects)
		t.objectsFailed += int32(c.ObjectsFailed)
	}
	t.attempts = max(t.attempts, int32(c.Attempts))
}

func (t *tally32) merge(o *tally32) {
	t.requests += o.requests
	t.objects += o.objects
	t.objectsFailed += o.objectsFailed
	t.counted += o.counted
	t.attempts = max(t.attempts, o.attempts)
	for i := range t.states {
		t.states[i] += o.states[i]
	}
}

// full is t as a GridTally.
func (t *tally32) full() GridTally {
	g := GridTally{Requests: int(t.requests), Objects: int(t.objects), ObjectsFailed: int(t.objectsFailed), Counted: int(t.counted),
		Attempts: int(t.attempts)}
	for i := range t.states {
		g.States[i] = int(t.states[i])
	}
	return g
}

// storedCell is what a cell's tooltip shows of its worst request: a GridCell without the
// row's fields, its window as instants and an offset.
type storedCell struct {
	name, jobID, jobState, code, message string
	start, end                           int64 // Unix nanoseconds; both 0 without a window
	offset                               int32 // of the window, in seconds
	state                                GridState
	hasCounts                            bool
	objects, objectsFailed, attempts     int32
}

func storeCell(c *GridCell) storedCell {
	s := storedCell{name: c.Name, jobID: c.JobID, jobState: c.JobState, code: c.Code, message: c.Message,
		state: c.State, hasCounts: c.HasCounts, objects: int32(c.Objects), objectsFailed: int32(c.ObjectsFailed),
		attempts: int32(c.Attempts)}
	if c.Windowed() {
		_, off := c.Start.Zone()
		s.start, s.end, s.offset = c.Start.UnixNano(), c.End.UnixNano(), int32(off)
	}
	return s
}

// cell is s as a GridCell (without the row's fields).
func (s *storedCell) cell() *GridCell {
	c := &GridCell{Key: request.Key{Name: s.name}, JobID: s.jobID, JobState: s.jobState, Code: s.code, Message: s.message,
		State: s.state, HasCounts: s.hasCounts, Objects: int(s.objects), ObjectsFailed: int(s.objectsFailed),
		Attempts: int(s.attempts)}
	if s.start != 0 || s.end != 0 {
		z := request.ZoneAt(int(s.offset))
		c.Start, c.End = time.Unix(0, s.start).In(z), time.Unix(0, s.end).In(z)
	}
	return c
}

// Adder takes the requests of a grid one at a time, as they stream from where they are
// read (the caller reads the state: session): a *Grid adds them up.
type Adder interface{ Add(c GridCell) }

// NewGrid starts an empty grid read at readAt.
func NewGrid(readAt time.Time) *Grid { return &Grid{ReadAt: readAt} }

// Add adds one request.
func (g *Grid) Add(c GridCell) {
	if g.trace != nil {
		g.trace(&c)
	}
	if g.rowOf == nil {
		g.rowOf, g.slotOf, g.bucketOf = map[rowKey]int32{}, map[slotKey]int32{}, map[bucketKey]int32{}
		g.wins = map[winKey]struct{}{}
	}
	if len(g.Plans) == 0 || g.Plans[len(g.Plans)-1] != c.Plan {
		if !slices.Contains(g.Plans, c.Plan) {
			g.Plans = append(g.Plans, c.Plan)
		}
	}
	g.n++
	rk := rowKey{c.Plan, c.Job, c.InputKind, c.Input, c.Workflow}
	r, ok := g.rowOf[rk]
	if !ok {
		r = int32(len(g.rows))
		g.rowOf[rk] = r
		g.rows = append(g.rows, gridStoredRow{plan: c.Plan, job: c.Job, inputKind: c.InputKind, input: c.Input, workflow: c.Workflow})
	}
	g.rows[r].tally.add(&c)
	b := int32(gridNoWindowCol)
	if c.Windowed() {
		b = g.bucket(c.Start, c.End)
	}
	k := slotKey{r, b}
	i, ok := g.slotOf[k]
	if !ok {
		i = int32(len(g.slots))
		g.slotOf[k] = i
		g.slots = append(g.slots, gridStored{})
	}
	st := &g.slots[i]
	st.tally.add(&c)
	if st.tally.requests == 1 || c.State.worse(st.worst.state) {
		st.worst = storeCell(&c) // the row's own fields are the row's
	}
	budget := g.budget
	if budget <= 0 {
		budget = gridCellBudget
	}
	if len(g.slots) > budget || len(g.rows) > max(budget/2, gridRowBudget) {
		g.shrink(budget)
	}
}

// bucket returns the bucket of the window start..end, counting the window when new.
func (g *Grid) bucket(start, end time.Time) int32 {
	wk := winKey{start.UnixNano(), end.UnixNano()}
	isNew := false
	if g.wins != nil {
		if _, seen := g.wins[wk]; !seen {
			isNew = true
			g.wins[wk] = struct{}{}
			g.winCount++
			if len(g.wins) > gridWindowsCap {
				g.wins, g.manyWins = nil, true
			}
		}
	}
	key := bucketKey{win: wk}
	if g.level != groupNone {
		key = bucketKey{label: groupKey(g.level, gridWindow{start, end}, 0, 0, 0)}
	}
	b, ok := g.bucketOf[key]
	if !ok {
		b = int32(len(g.buckets))
		g.bucketOf[key] = b
		g.buckets = append(g.buckets, gridBucket{start: start, end: end})
	}
	bk := &g.buckets[b]
	if start.Before(bk.start) {
		bk.start = start
	}
	if end.After(bk.end) {
		bk.end = end
	}
	switch {
	case g.level == groupNone && !ok:
		bk.windows = 1
		if g.wins == nil && !isNew {
			g.winCount++ // the set was dropped: a new bucket is a new window
		}
	case g.level != groupNone && isNew:
		bk.windows++
	}
	return b
}

// shrink folds the grid's cells until they are at most half the budget: buckets into
// coarser ones first, then rows.
//
// Coarser buckets go to the finest level that brings the cells under the budget and still
// has gridKeepColumns buckets (as many columns as a page shows); when no level does, rows
// are folded first while there are more than a page shows at that many columns.
func (g *Grid) shrink(budget int) {
	for len(g.slots) > budget/2 || len(g.rows) > max(budget/2, gridRowBudget)/2 {
		level, keeps := g.coarser(budget / 2)
		switch {
		case level != g.level && len(g.slots) > budget/2 && (keeps || len(g.rows) <= 2*gridHTMLCells/gridKeepColumns):
			g.coarsen(level)
		case len(g.rows) > 1:
			// Below half: the rows that add up the others take room too.
			if !g.foldRows(max(len(g.rows)*2/5, 1)) {
				return
			}
		default:
			return
		}
	}
}

// gridKeepColumns is how many buckets a coarser level should keep: the columns of a page.
const gridKeepColumns = gridHTMLColumns

// coarser picks the level to coarsen to: of those coarser than the grid's (a window is in
// one day, a day in one week and one month, a week or a month in one year), the finest
// whose cells (estimated from the buckets it merges) fit target and that keeps
// gridKeepColumns buckets (keeps); else the finest whose cells fit; else a year. It
// returns the grid's own level when there is nothing coarser.
func (g *Grid) coarser(target int) (level gridGrouping, keeps bool) {
	var next []gridGrouping
	switch g.level {
	case groupNone:
		next = []gridGrouping{groupDay, groupWeek, groupMonth, groupYear}
	case groupDay:
		next = []gridGrouping{groupWeek, groupMonth, groupYear}
	case groupWeek, groupMonth:
		next = []gridGrouping{groupYear}
	default:
		return g.level, false
	}
	if len(g.buckets) == 0 {
		return g.level, false
	}
	fits := -1 // the finest level whose cells fit
	for _, lv := range next {
		keys := map[string]bool{}
		for i := range g.buckets {
			keys[groupKey(lv, gridWindow{g.buckets[i].start, g.buckets[i].end}, 0, 0, 0)] = true
		}
		est := len(g.slots) * len(keys) / len(g.buckets)
		if est <= target {
			if len(keys) >= gridKeepColumns {
				return lv, true
			}
			if fits < 0 {
				fits = int(lv)
			}
		}
	}
	if fits >= 0 {
		return gridGrouping(fits), false
	}
	return next[len(next)-1], false
}

// coarsen puts the buckets into level, coarser than the grid's.
func (g *Grid) coarsen(level gridGrouping) {
	g.level = level
	old := g.buckets
	g.buckets, g.bucketOf = nil, map[bucketKey]int32{}
	remap := make([]int32, len(old))
	for i, b := range old {
		key := bucketKey{label: groupKey(g.level, gridWindow{b.start, b.end}, 0, 0, 0)}
		j, ok := g.bucketOf[key]
		if !ok {
			j = int32(len(g.buckets))
			g.bucketOf[key] = j
			g.buckets = append(g.buckets, gridBucket{start: b.start, end: b.end})
		}
		nb := &g.buckets[j]
		if b.start.Before(nb.start) {
			nb.start = b.start
		}
		if b.end.After(nb.end) {
			nb.end = b.end
		}
		nb.windows += b.windows
		remap[i] = j
	}
	g.remapSlots(func(k slotKey) slotKey {
		if k.bucket >= 0 {
			k.bucket = remap[k.bucket]
		}
		return k
	})
}

// foldRows keeps the keep rows with the worst states (in their order) and adds up the
// others in one row per plan job and workflow; it reports false when nothing could fold.
func (g *Grid) foldRows(keep int) bool {
	kept, _ := worstRows(g.rows, keep)
	var rows []gridStoredRow
	remap := make([]int32, len(g.rows))
	foldAt := map[foldKey]int32{}
	for i := range g.rows {
		if kept[i] {
			remap[i] = int32(len(rows))
			if r := &g.rows[i]; r.folded > 0 { // a row of earlier folds takes the new ones too
				foldAt[foldKey{r.plan, r.job, r.workflow}] = int32(len(rows))
			}
			rows = append(rows, g.rows[i])
		}
	}
	if len(rows) == len(g.rows) {
		return false
	}
	for i := range g.rows {
		r := &g.rows[i]
		if kept[i] {
			continue
		}
		delete(g.rowOf, rowKey{r.plan, r.job, r.inputKind, r.input, r.workflow})
		k := foldKey{r.plan, r.job, r.workflow}
		j, ok := foldAt[k]
		if !ok {
			j = int32(len(rows))
			foldAt[k] = j
			rows = append(rows, gridStoredRow{plan: r.plan, job: r.job, workflow: r.workflow})
		}
		f := &rows[j]
		f.tally.merge(&r.tally)
		f.folded += max(r.folded, 1)
		f.input = fmt.Sprintf("%d more inputs", f.folded)
		remap[i] = j
	}
	g.rows = rows
	for k, i := range g.rowOf {
		g.rowOf[k] = remap[i]
	}
	g.remapSlots(func(k slotKey) slotKey { k.row = remap[k.row]; return k })
	return true
}

// remapSlots moves every cell to the key f gives it, adding up cells that meet.
func (g *Grid) remapSlots(f func(slotKey) slotKey) {
	old, oldOf := g.slots, g.slotOf
	g.slots, g.slotOf = make([]gridStored, 0, len(old)/2), make(map[slotKey]int32, len(old)/2)
	for k, i := range oldOf {
		nk := f(k)
		j, ok := g.slotOf[nk]
		if !ok {
			j = int32(len(g.slots))
			g.slotOf[nk] = j
			g.slots = append(g.slots, old[i])
			continue
		}
		d, s := &g.slots[j], &old[i]
		d.tally.merge(&s.tally)
		if s.worst.state.worse(d.worst.state) {
			d.worst = s.worst
		}
	}
}

// worstRows marks the rows kept when at most keep may be: those with the worst states,
// ties in their order; rank is each row's rank of worst state.
func worstRows(rows []gridStoredRow, keep int) (kept []bool, rank []int) {
	rank = make([]int, len(rows))
	order := make([]int, len(rows))
	for i := range rows {
		order[i] = i
		if s, ok := rows[i].tally.worst(); ok {
			rank[i] = gridRank[s]
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return rank[b] - rank[a] })
	kept = make([]bool, len(rows))
	for _, i := range order[:min(keep, len(order))] {
		kept[i] = true
	}
	return kept, rank
}

// Len is the number of requests in the grid.
func (g *Grid) Len() int { return g.n }

// GridTally counts the requests of a row, a column, a group or the whole grid.
type GridTally struct {
	Requests int
	States   [gridStates]int
	// Objects and ObjectsFailed add up the object counts of the Counted requests that have them.
	Objects, ObjectsFailed, Counted int
	// Attempts is the most attempts of a request counted (retries and re-runs).
	Attempts int
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
	t.Attempts = max(t.Attempts, c.Attempts)
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
	return layout.Plural(t.Requests, "request") + ": " + strings.Join(parts, ", ")
}

// objectsLine reads "3 of 412 objects failed after 2 attempts" ("after up to 2" when it
// adds up several requests), or "" when no counts are known.
func (t *GridTally) objectsLine() string {
	if t.Counted == 0 {
		return ""
	}
	s := objectsFailed(t.ObjectsFailed, t.Objects, t.Attempts, t.Counted > 1)
	if t.Counted < t.Requests {
		s += fmt.Sprintf(" (counts known for %d of %d requests)", t.Counted, t.Requests)
	}
	return s
}

// objectsFailed reads "3 of 412 objects failed", with " after 2 attempts" when the objects
// were tried more than once (retries folded into their request), " after up to 2
// attempts" when several requests are added up.
func objectsFailed(failed, objects, attempts int, several bool) string {
	return fmt.Sprintf("%d of %d objects failed", failed, objects) + afterAttempts(attempts, several)
}

// afterAttempts reads " after 2 attempts" (" after up to 2 attempts" when several), or ""
// for one attempt.
func afterAttempts(attempts int, several bool) string {
	switch {
	case attempts <= 1:
		return ""
	case several:
		return fmt.Sprintf(" after up to %d attempts", attempts)
	}
	return fmt.Sprintf(" after %d attempts", attempts)
}
