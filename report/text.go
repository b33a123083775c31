package report

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/executor/follow"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
	"github.com/planrun/planrun/report/layout"
)

// textSink renders for people: problems as file:line:col lines, the dry run as tables,
// the run's summary (WriteText), and status and cancel as aligned tables with a count line.
type textSink struct {
	w      io.Writer
	color  bool
	tw     *layout.AlignedTable // the status or cancel table, once started
	counts map[string]int
	rows   int
	cancel bool
	inPlan func(name string) bool // status: whether a row is in the plans given (nil: not asked)
	old    int                    // status rows not in the plans given
	reruns int                    // status rows at an attempt after the first (run --rerun)
	known  *executor.Known
	width  int // fit to this many columns; 0: whole values (--wide)
}

const (
	statusHead = "PLAN\tJOB\tNAME\tSTATUS\tJOB ID\tSTATE\tATTEMPTS\tERROR"
	// statusPlanHead is the status table when the plans were given: IN PLAN says whether
	// the plans still expand to the row's request.
	statusPlanHead = "PLAN\tJOB\tNAME\tIN PLAN\tSTATUS\tJOB ID\tSTATE\tATTEMPTS\tERROR"
	cancelHead     = "PLAN\tJOB\tNAME\tJOB ID\tSTATE\tOUTCOME"
)

// How the columns of status and cancel give way in a narrow terminal: names are elided,
// never dropped; attempts, job ids, then plan and job (a name starts with both) go first,
// whole.
var (
	statusSpecs     = []layout.ColSpec{{Min: 0, Drop: 3}, {Min: 0, Drop: 4}, {Min: 32, Drop: 0}, {Min: 0, Drop: 0}, {Min: 12, Drop: 2}, {Min: 9, Drop: 0}, {Min: 0, Drop: 1}, {Min: 12, Drop: 5}}
	statusPlanSpecs = []layout.ColSpec{{Min: 0, Drop: 3}, {Min: 0, Drop: 4}, {Min: 32, Drop: 0}, {Min: 0, Drop: 6}, {Min: 0, Drop: 0}, {Min: 12, Drop: 2}, {Min: 9, Drop: 0}, {Min: 0, Drop: 1}, {Min: 12, Drop: 5}}
	cancelSpecs     = []layout.ColSpec{{Min: 0, Drop: 3}, {Min: 0, Drop: 4}, {Min: 32, Drop: 0}, {Min: 12, Drop: 2}, {Min: 9, Drop: 0}, {Min: 28, Drop: 0}}
)

func newText(w io.Writer, o options) (Sink, error) {
	s := &textSink{w: w, color: o.color, counts: map[string]int{}, inPlan: o.inPlan, known: o.known, width: o.fitWidth()}
	switch o.command { // an empty table still has its head and count line
	case Status:
		s.table(s.statusHead())
	case Cancel:
		s.cancel = true
		s.table(cancelHead)
	}
	return s, nil
}

func (s *textSink) Checks(c []PlanCheck) error { return validationText(s.w, c) }

func (s *textSink) Preview(plans []*plan.Plan, keep func(*plan.Request) bool) error {
	return previewText(s.w, plans, keep, s.known, s.width)
}

// Result renders nothing: the summary comes with RunDone.
func (s *textSink) Result(executor.Result) error { return nil }

func (s *textSink) RunDone(sum *executor.Summary, wait *executor.WaitSummary, meta Meta) error {
	return writeRunText(s.w, sum, wait, meta, s.color, s.width)
}

// table starts the status or cancel table: fitted to the width, and for cancel (whose
// outcomes arrive as they come) sorted by plan, job and name.
func (s *textSink) table(head string) *layout.AlignedTable {
	if s.tw == nil {
		s.tw = layout.NewAlignedTable(s.w)
		s.tw.Width = s.width
		switch {
		case s.cancel:
			s.tw.Specs, s.tw.Sorted = cancelSpecs, true
		case s.inPlan != nil:
			s.tw.Specs = statusPlanSpecs
		default:
			s.tw.Specs = statusSpecs
		}
		fmt.Fprintln(s.tw, head)
	}
	return s.tw
}

func (s *textSink) statusHead() string {
	if s.inPlan != nil {
		return statusPlanHead
	}
	return statusHead
}

func (s *textSink) Status(rec executor.Record) error {
	tw := s.table(s.statusHead())
	s.rows++
	s.counts[string(rec.Status)]++
	if rec.Attempt() > 1 {
		s.reruns++ // its name ends with the attempt's "-a<N>"
	}
	in := ""
	if s.inPlan != nil {
		in = "yes\t"
		if !s.inPlan(rec.Name) {
			in = "no\t"
			s.old++
		}
	}
	_, err := fmt.Fprintf(tw, "%s\t%s\t%s\t%s%s\t%s\t%s\t%d\t%s\n", clean(rec.Plan), clean(rec.Job), clean(rec.Name), in,
		statusName(rec.Status), dash(clean(rec.JobID)), dash(clean(rec.JobState)), rec.Attempts, clean(recordError(rec)))
	return err
}

func (s *textSink) Cancelled(r follow.CancelResult) error {
	s.cancel = true
	tw := s.table(cancelHead)
	s.rows++
	s.counts[r.Outcome]++
	msg := r.Outcome
	if r.Outside {
		msg += " (not in the plan)" // the count line says what that means
		s.old++
	}
	if r.Err != nil {
		msg += ": " + r.Err.Error()
	}
	_, err := fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", clean(r.Plan), clean(r.Job), clean(r.Name),
		dash(clean(r.JobID)), dash(clean(r.State)), clean(msg))
	return err
}

// Flush ends a status or cancel table with its count line.
func (s *textSink) Flush() error {
	if s.tw == nil && s.rows == 0 {
		return nil
	}
	if s.tw != nil {
		if err := s.tw.Flush(); err != nil {
			return err
		}
	}
	var err error
	if s.cancel {
		line := fmt.Sprintf("%s: %d cancelled, %d already finished, %d errors", plural(s.rows, "job"),
			s.counts[follow.CancelDone], s.counts[follow.CancelFinished], s.counts[follow.CancelError])
		if s.old > 0 {
			line += fmt.Sprintf("; %d not in the plan (an earlier generation or an edited job)", s.old)
		}
		_, err = fmt.Fprintln(s.w, layout.WrapWidth(line, s.width))
		return err
	}
	line := plural(s.rows, "request") + " in the state"
	for _, st := range request.Statuses {
		if n := s.counts[string(st)]; n > 0 {
			line += fmt.Sprintf(", %d %s", n, statusName(st))
		}
	}
	if s.reruns > 0 {
		line += fmt.Sprintf("; %d sent again by run --rerun, shown at their latest attempt (the name's -a<N>)", s.reruns)
	}
	if s.old > 0 {
		line += fmt.Sprintf("; %d no longer in the plan (an earlier generation or an edited job: cancel --all-generations reaches their unfinished jobs)", s.old)
	}
	_, err = fmt.Fprintln(s.w, layout.WrapWidth(line, s.width))
	return err
}

// recordError is a state row's last error as "Code: Message", empty when none.
func recordError(rec executor.Record) string {
	if rec.ErrorCode == "" && rec.ErrorMessage == "" {
		return ""
	}
	return rec.ErrorCode + ": " + rec.ErrorMessage
}

// validationText prints one file:line:col problem per line and a count.
func validationText(w io.Writer, checks []PlanCheck) error {
	var b strings.Builder
	invalid, problems := 0, 0
	for _, c := range checks {
		for _, p := range c.Problems {
			b.WriteString(p.String() + "\n")
		}
		if len(c.Problems) > 0 {
			invalid++
			problems += len(c.Problems)
		}
	}
	if invalid == 0 {
		fmt.Fprintf(&b, "%s valid\n", plural(len(checks), "plan"))
	} else {
		fmt.Fprintf(&b, "%s checked, %d invalid, %s\n", plural(len(checks), "plan"), invalid, plural(problems, "problem"))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteText writes the run's summary for people (README, "Commands"): a headline, an aligned table per
// job (planned, skipped as already done, triggered, failed, and not done when any), a
// total line, the failures (at most 50, then how many more), and with wait the jobs' states
// and each job that ended Failed or Cancel. ANSI colours only when color is true; service
// text is stripped of control characters either way.
// The summary fits DefaultWidth columns.
func WriteText(w io.Writer, sum *executor.Summary, wait *executor.WaitSummary, meta Meta, color bool) error {
	return writeRunText(w, sum, wait, meta, color, DefaultWidth)
}

// exampleLine renders "  N × Code  e.g. <failure>" in width columns (0: any): the code
// and the failure are elided in the middle when the line is too long.
func exampleLine(b *strings.Builder, count int, code, name, sep, detail string, color bool, width int) {
	head := fmt.Sprintf("%d × %s", count, clean(code))
	name = clean(name)
	if width > 0 {
		head = layout.ElideMiddle(head, max(width/3, 12))
		room := max(width-layout.TextWidth(head)-2-2-len("e.g. ")-len(sep), 24)
		name = layout.ElideMiddle(name, max(room/3, 12))
		detail = layout.ElideMiddle(detail, room-layout.TextWidth(name))
	}
	fmt.Fprintf(b, "  %s  e.g. %s%s%s\n", layout.Paint(head, layout.ANSIRed, color), name, sep, detail)
}

// writeRunText is WriteText fitted to width columns (0: every value whole, --wide).
func writeRunText(w io.Writer, sum *executor.Summary, wait *executor.WaitSummary, meta Meta, color bool, width int) error {
	var b strings.Builder
	b.WriteString(layout.Paint(layout.FitLine(headline(sum, meta), width), layout.ANSIBold, color) + "\n")
	if sum != nil && len(sum.Jobs) > 0 {
		b.WriteByte('\n')
		t := countsTable(sum)
		t.Width = width
		if err := t.Write(&b, "", color); err != nil {
			return err
		}
	}
	if groups := codeGroups(sum); len(groups) > 0 {
		fmt.Fprintf(&b, "\n%s\n", layout.Paint(fmt.Sprintf("Failures (%d), by code:", sum.Total.Failed), layout.ANSIRed+layout.ANSIBold, color))
		for i, g := range groups {
			if i == maxListed {
				fmt.Fprintf(&b, "  ... and %d more codes (see --report)\n", len(groups)-maxListed)
				break
			}
			exampleLine(&b, g.Count, codeName(g.Code), g.Example.Name, ": ", failureDetail(g.Example), color, width)
		}
	}
	if wait != nil {
		writeWaitText(&b, wait, color, width)
	}
	if steps := nextSteps(sum, wait, meta); len(steps) > 0 {
		fmt.Fprintf(&b, "\n%s\n", layout.Paint("Next:", layout.ANSIYellow+layout.ANSIBold, color))
		for _, st := range steps {
			for line := range strings.SplitSeq(layout.WrapWidth(st.text, width-2), "\n") {
				fmt.Fprintf(&b, "  %s\n", layout.Paint(line, layout.ANSIYellow, color))
			}
			if st.command != "" {
				// A command is wrapped, never elided: it must still paste and run.
				fmt.Fprintf(&b, "      %s\n", layout.WrapCommand(st.command, width-6, "        "))
			}
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	return nil
}

// headline is the first line: what ran, how much, how long, and how it ended.
func headline(sum *executor.Summary, meta Meta) string {
	s := "planrun run"
	if meta.Command != "" {
		s = "planrun " + meta.Command
	}
	if meta.DryRun {
		s += " (dry run)"
	}
	parts := []string{plural(len(meta.Plans), "plan")}
	if sum != nil {
		parts = append(parts, plural(sum.Total.Planned, "request"))
	}
	if meta.Shard != "" {
		parts = append(parts, "shard "+meta.Shard)
	}
	if d, ok := meta.Duration(); ok {
		parts = append(parts, "took "+d.Round(time.Millisecond).String())
	}
	s += ": " + strings.Join(parts, ", ")
	if meta.Interrupted {
		s += " (interrupted)"
	}
	return s
}

// countsTable builds the per-job table and its total line.
func countsTable(sum *executor.Summary) *layout.Table {
	notDone := sum.Total.NotDone() > 0
	t := &layout.Table{Left: 2, Specs: []layout.ColSpec{{Min: 8, Drop: 0}, {Min: 8, Drop: 0}}}
	head := []layout.Cell{{Text: "PLAN"}, {Text: "JOB"}, {Text: "PLANNED"}, {Text: "SKIPPED"}, {Text: "TRIGGERED"}, {Text: "FAILED"}}
	if notDone {
		head = append(head, layout.Cell{Text: "NOT DONE"})
	}
	t.Add(head...)
	row := func(plan, job string, c executor.Counts, style string) {
		cells := []layout.Cell{{Text: clean(plan), Style: style}, {Text: clean(job), Style: style},
			{Text: strconv.Itoa(c.Planned), Style: style},
			{Text: strconv.Itoa(c.Skipped), Style: layout.StyleIf(c.Skipped, layout.ANSICyan)},
			{Text: strconv.Itoa(c.Triggered), Style: layout.StyleIf(c.Triggered, layout.ANSIGreen)},
			{Text: strconv.Itoa(c.Failed), Style: layout.StyleIf(c.Failed, layout.ANSIRed)}}
		if notDone {
			cells = append(cells, layout.Cell{Text: strconv.Itoa(c.NotDone()), Style: layout.StyleIf(c.NotDone(), layout.ANSIYellow)})
		}
		t.Add(cells...)
	}
	for _, j := range sum.Jobs {
		row(j.Plan, j.Job, j.Counts, "")
	}
	row("TOTAL", "", sum.Total, layout.ANSIBold)
	return t
}

// writeWaitText writes the jobs' states after --wait and the jobs that did not succeed.
func writeWaitText(b *strings.Builder, wait *executor.WaitSummary, color bool, width int) {
	var states []string
	for _, s := range stateOrder(wait.States) {
		states = append(states, fmt.Sprintf("%s %d", clean(s), wait.States[s]))
	}
	if len(states) == 0 {
		states = append(states, "no jobs")
	}
	line := layout.WrapWidth("Jobs after --wait: "+strings.Join(states, ", "), width)
	if color { // each state's count painted where it landed
		for _, s := range stateOrder(wait.States) {
			t := fmt.Sprintf("%s %d", clean(s), wait.States[s])
			line = strings.Replace(line, t, layout.Paint(t, stateStyle(s), color), 1)
		}
	}
	fmt.Fprintf(b, "\n%s\n", line)
	for i, g := range waitGroups(wait) {
		if i == maxListed {
			fmt.Fprintf(b, "  ... and more (see --report)\n")
			break
		}
		exampleLine(b, g.Count, strings.TrimSpace(g.State+" "+g.Code), g.Example.Name, " ", jobFailureDetail(g.Example), color, width)
	}
}

// knownStates is the display order of job states.
var knownStates = []string{executor.StateSubmitted, executor.StateRunning, executor.StatePause,
	executor.StateSuccess, executor.StateFailed, executor.StateCancel, executor.StateNotFound}

// stateOrder returns the states of counts with a count, known states first.
func stateOrder(counts map[string]int) []string {
	var out, other []string
	for _, s := range knownStates {
		if counts[s] > 0 {
			out = append(out, s)
		}
	}
	for s, n := range counts {
		if n > 0 && !slices.Contains(knownStates, s) {
			other = append(other, s)
		}
	}
	slices.Sort(other)
	return append(out, other...)
}

// stateStyle colours a job state: green success, red failure, yellow otherwise.
func stateStyle(s string) string {
	switch s {
	case executor.StateSuccess:
		return layout.ANSIGreen
	case executor.StateFailed, executor.StateCancel, executor.StateNotFound:
		return layout.ANSIRed
	}
	return layout.ANSIYellow
}
