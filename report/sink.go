package report

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/executor/follow"
	"github.com/planrun/planrun/objects"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/report/grid"
	"github.com/planrun/planrun/report/layout"
	"github.com/planrun/planrun/report/results"
	"github.com/planrun/planrun/report/safetext"
)

// Sink renders the events of one planrun command in one format, as kubeconform's output
// writers do: the command calls the methods for what happens, in order, then Flush once.
// A format renders the events of the commands that Formats lists it for; the other
// methods return an error matching ErrUnsupported. A Sink is not safe for concurrent use
// (executor.Options.OnResult is never called concurrently).
type Sink interface {
	// Checks renders the outcome of checking plan files: validate, and a run or a dry run
	// that refuses invalid plans.
	Checks(checks []PlanCheck) error
	// Preview renders what a dry run would send: every request of plans that keep accepts
	// (nil keeps all), streamed, so memory does not grow with the plans.
	Preview(plans []*plan.Plan, keep func(*plan.Request) bool) error
	// Result renders one request's outcome during a run.
	Result(r executor.Result) error
	// RunDone renders the end of a run: the summary (nil when the run never started), the
	// jobs' states after --wait (nil without it) and the run as a whole.
	RunDone(sum *executor.Summary, wait *executor.WaitSummary, meta Meta) error
	// Status renders one request of the state file (planrun status).
	Status(rec executor.Record) error
	// Cancelled renders one job's cancel outcome (planrun cancel).
	Cancelled(r follow.CancelResult) error
	// Flush ends the output (totals, closing brackets, buffered data). It does not close
	// the writer.
	Flush() error
}

// ErrUnsupported is matched by the error of a Sink method that its format does not render.
var ErrUnsupported = errors.New("not rendered by this format")

// Command names what a command renders, for Formats.
type Command string

// The commands that render through a Sink.
const (
	Validate Command = "validate"
	DryRun   Command = "dry-run"
	Run      Command = "run"
	Status   Command = "status"
	Cancel   Command = "cancel"
)

// The outputs that render through a writer of their own, resolved by the same table.
const (
	Results Command = "results" // planrun results, the --results file (NewResults)
	Retry   Command = "retry"   // planrun retry --dry-run (WriteRetryPreview)
	Grid    Command = "grid"    // status --grid, the grid page and step summary (WriteGrid)
)

// Option sets an optional behaviour of a Sink.
type Option func(*options)

type options struct {
	plans   []*plan.Plan
	keep    func(*plan.Request) bool
	color   bool
	meta    Meta
	command Command
	inPlan  func(name string) bool
	known   *executor.Known
	width   int  // the width text is fitted to; 0: DefaultWidth
	wide    bool // --wide: nothing fitted, every value whole
}

// fitWidth is the width text tables are fitted to, 0 with --wide (no fitting).
func (o options) fitWidth() int { return fitWidthOf(o.width, o.wide) }

// fitWidthOf is the width to fit to (see layout.FitWidth).
func fitWidthOf(width int, wide bool) int { return layout.FitWidth(width, wide) }

// WithPlans gives the plans of a run and the requests of them it runs (keep; nil: all), so
// that a report can list the requests an interruption left unreached.
func WithPlans(plans []*plan.Plan, keep func(*plan.Request) bool) Option {
	return func(o *options) { o.plans, o.keep = plans, keep }
}

// WithKnown tells a dry run what is already done (the state file, or the service with
// --refresh): each request is then marked create or skip, the tables list only what would
// be sent, and the batch jobs no longer in the plans are listed. Without it every request
// is to create.
func WithKnown(k *executor.Known) Option { return func(o *options) { o.known = k } }

// For names the command the sink renders, so that a format can say "nothing" in its own
// way (the text of status or cancel prints its count line even with no row).
func For(c Command) Option { return func(o *options) { o.command = c } }

// WithInPlan makes status mark each request whose Name inPlan says the current plans no
// longer expand to (an earlier generation, or a job edited since): `planrun status PLAN...`.
func WithInPlan(inPlan func(name string) bool) Option { return func(o *options) { o.inPlan = inPlan } }

// WithColor lets the text format use ANSI colours (stdout is a terminal, NO_COLOR unset).
func WithColor(on bool) Option { return func(o *options) { o.color = on } }

// WithWidth fits the text tables to width columns (see TableWidth); without it they fit
// DefaultWidth.
func WithWidth(width int) Option { return func(o *options) { o.width = width } }

// WithWide prints every value of the text tables whole, whatever the width (--wide).
func WithWide(on bool) Option { return func(o *options) { o.wide = on } }

// WithMeta gives the run's header (plans, start, endpoint, shard) to formats that write it
// before the first result (json).
func WithMeta(m Meta) Option { return func(o *options) { o.meta = m } }

// format is one output format: what it renders for each kind of output, nil for what it
// does not render.
type format struct {
	new      func(w io.Writer, o options) (Sink, error) // the Sink of commands
	commands []Command
	results  func(w io.Writer, o results.ResultsOptions) results.ResultsWriter // planrun results
	retry    func(w io.Writer, set *objects.RetrySet, o options) error         // planrun retry --dry-run
	grid     func(w io.Writer, g *grid.Grid, width int, color bool) error      // the status grid
	text     bool                                                              // read as text (terminal, CI log)
}

// guard is w, through safetext.CommandWriter (the net under all cleaning) if f is text.
func (f format) guard(w io.Writer) io.Writer {
	if f.text {
		return safetext.CommandWriter(w)
	}
	return w
}

// renders reports whether f renders the output of cmd.
func (f format) renders(cmd Command) bool {
	switch cmd {
	case Results:
		return f.results != nil
	case Retry:
		return f.retry != nil
	case Grid:
		return f.grid != nil
	}
	return f.new != nil && slices.Contains(f.commands, cmd)
}

// formats is the one table of output formats, for every command, the results, the retry
// preview and the grid: adding a format is adding a file with what it renders and a line
// here.
var formats = map[string]format{
	"text": {new: newText, commands: []Command{Validate, DryRun, Run, Status, Cancel},
		results: results.NewText, retry: writeRetryText, grid: grid.WriteGridTerm, text: true},
	"json": {new: newJSONSink, commands: []Command{Validate, DryRun, Run, Status, Cancel},
		results: results.NewJSON, retry: writeRetryJSON},
	"github":   {new: newGitHub, commands: []Command{Validate, DryRun, Run}},
	"junit":    {new: newJUnitSink, commands: []Command{Validate, Run}, results: results.NewJUnit},
	"markdown": {new: newMarkdown, commands: []Command{DryRun}, results: results.NewMarkdown, grid: gridMarkdown, text: true},
	"csv":      {results: results.NewCSV, text: true},
	"html":     {grid: gridHTML},
}

// Formats returns the formats that render cmd, text first, then in alphabetical order.
func Formats(cmd Command) []string {
	var out []string
	for name, f := range formats {
		if f.renders(cmd) && name != "text" {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return append([]string{"text"}, out...)
}

// CheckFormat returns an error naming the formats of cmd when name is not one of them.
func CheckFormat(cmd Command, name string) error {
	if f := Formats(cmd); !slices.Contains(f, name) {
		return fmt.Errorf("unknown --format %q (want one of %s)", name, strings.Join(f, ", "))
	}
	return nil
}

// unknownFormat is the error of a format that does not render cmd.
func unknownFormat(cmd Command, name string) error {
	return fmt.Errorf("unknown %s format %q (want one of %s)", cmd, name, strings.Join(Formats(cmd), ", "))
}

// NewResults returns the writer of per-object results in format (see Formats(Results)) on w.
func NewResults(format string, w io.Writer, opts results.ResultsOptions) (results.ResultsWriter, error) {
	f, ok := formats[format]
	if !ok || f.results == nil {
		return nil, unknownFormat(Results, format)
	}
	return f.results(f.guard(w), opts), nil
}

// WriteGrid draws g on w in format (see Formats(Grid)): text for a terminal width columns
// wide (coloured when color), markdown, or html (a page).
func WriteGrid(w io.Writer, format string, g *grid.Grid, width int, color bool) error {
	f, ok := formats[format]
	if !ok || f.grid == nil {
		return unknownFormat(Grid, format)
	}
	return f.grid(f.guard(w), g, width, color)
}

func gridMarkdown(w io.Writer, g *grid.Grid, _ int, _ bool) error {
	return grid.WriteGridMarkdown(w, g)
}
func gridHTML(w io.Writer, g *grid.Grid, _ int, _ bool) error { return grid.WriteGridHTML(w, g) }

// New returns the Sink of format name writing to w.
func New(name string, w io.Writer, opts ...Option) (Sink, error) {
	f, ok := formats[name]
	if !ok || f.new == nil {
		return nil, fmt.Errorf("unknown format %q", name)
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	return f.new(f.guard(w), o)
}

// unsupported is embedded by each format's Sink: every event it does not render says so.
type unsupported struct{ format string }

func (u unsupported) err(event string) error {
	return fmt.Errorf("%s output: %s: %w", u.format, event, ErrUnsupported)
}

func (u unsupported) Checks([]PlanCheck) error { return u.err("plan checks") }
func (u unsupported) Preview([]*plan.Plan, func(*plan.Request) bool) error {
	return u.err("dry run")
}
func (u unsupported) Result(executor.Result) error { return u.err("run") }
func (u unsupported) RunDone(*executor.Summary, *executor.WaitSummary, Meta) error {
	return u.err("run")
}
func (u unsupported) Status(executor.Record) error        { return u.err("status") }
func (u unsupported) Cancelled(follow.CancelResult) error { return u.err("cancel") }
func (u unsupported) Flush() error                        { return nil }

// Multi returns a Sink that passes every event to each of sinks in order; an error of one
// does not stop the others, and the first error is returned.
func Multi(sinks ...Sink) Sink { return multi(sinks) }

type multi []Sink

func (m multi) each(f func(Sink) error) error {
	var first error
	for _, s := range m {
		if err := f(s); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (m multi) Checks(c []PlanCheck) error { return m.each(func(s Sink) error { return s.Checks(c) }) }
func (m multi) Preview(p []*plan.Plan, keep func(*plan.Request) bool) error {
	return m.each(func(s Sink) error { return s.Preview(p, keep) })
}
func (m multi) Result(r executor.Result) error {
	return m.each(func(s Sink) error { return s.Result(r) })
}
func (m multi) RunDone(sum *executor.Summary, wait *executor.WaitSummary, meta Meta) error {
	return m.each(func(s Sink) error { return s.RunDone(sum, wait, meta) })
}
func (m multi) Status(rec executor.Record) error {
	return m.each(func(s Sink) error { return s.Status(rec) })
}
func (m multi) Cancelled(r follow.CancelResult) error {
	return m.each(func(s Sink) error { return s.Cancelled(r) })
}
func (m multi) Flush() error { return m.each(func(s Sink) error { return s.Flush() }) }
