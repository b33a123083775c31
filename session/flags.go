package session

import (
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/planrun/planrun/executor"
)

// The flag groups below are declared once and registered by every command that needs
// them. Adding a flag to a group is one line in the group's Register (and a field); the
// commands, their help, the shell completion and the next-command hints follow.

// Service is where requests go and where the state is kept: --endpoint, --insecure,
// --emulator, --state.
type Service struct {
	Endpoint string
	Insecure bool
	Emulator bool
	State    string
}

// Register declares the service flags on fs.
func (s *Service) Register(fs *flag.FlagSet) {
	fs.StringVar(&s.Endpoint, "endpoint", "", "where requests go: a base URL, or a template with {bucket} and {region} (default https://{bucket}.ci.{region}.myqcloud.com)")
	fs.BoolVar(&s.Insecure, "insecure", false, "allow plain http to an endpoint that is not on loopback")
	fs.BoolVar(&s.Emulator, "emulator", false, "use an in-process CI emulator on loopback (no account needed) and its own state file; it keeps its jobs beside the state")
	fs.Var(statePath{&s.State}, "state", "state `file` (default .planrun/state.db; .planrun/emulator.db with --emulator)")
}

// StatePath is the state file: --state, or the default of the target.
func (s *Service) StatePath() string {
	switch {
	case s.State != "":
		return s.State
	case s.Emulator:
		return ".planrun/emulator.db"
	}
	return ".planrun/state.db"
}

// Label names where requests go, for reports and the state's endpoint check (never
// credentials).
func (s *Service) Label() string {
	switch {
	case s.Emulator:
		return "emulator"
	case s.Endpoint != "":
		return s.Endpoint
	}
	return "https://{bucket}.ci.{region}.myqcloud.com"
}

// Rate is how hard the service is called: --qps, --parallel, --retries, --timeout. Every
// command that calls the service registers it, and its calls are paced by it.
type Rate struct {
	QPS      executor.RateSpec
	Parallel int
	Retries  int
	Timeout  time.Duration
}

// The --qps default is adaptive (auto:DefaultAutoCeiling, see docs/rate.md): it starts at
// 10 calls a second and finds the service's limit, never above the ceiling. EmulatorQPS is
// the default with --emulator, a fixed rate: the emulator has no account to protect and no
// limit to find unless one is set, so a demo need not crawl.
const (
	EmulatorQPS = 200
)

// Register declares the rate flags on fs.
func (r *Rate) Register(fs *flag.FlagSet) {
	r.QPS = executor.RateSpec{Auto: true, QPS: executor.DefaultAutoCeiling}
	fs.Var(&r.QPS, "qps", "API calls started per second, across all workers: auto adapts to the service's throttling, "+
		"auto:R never above R, a number is a fixed rate, 0 is unlimited (default auto:100; 200 with --emulator unless given)")
	fs.IntVar(&r.Parallel, "parallel", executor.DefaultParallel, "most API calls in flight at once")
	fs.IntVar(&r.Retries, "retries", executor.DefaultRetries, "retries of a throttled or failed call (0: none)")
	fs.DurationVar(&r.Timeout, "timeout", executor.DefaultRequestTimeout, "timeout of each API call")
}

// Files is --exclude, on every command that takes plan folders.
type Files struct{ Exclude Globs }

// Register declares --exclude on fs.
func (f *Files) Register(fs *flag.FlagSet) {
	fs.Var(&f.Exclude, "exclude", "leave files and folders matching this `glob` out of plan folders (repeatable); "+
		"a glob without / matches base names, one with / paths under the folder given or from the working directory")
}

// Selection narrows the plans to some requests: --job, --since, --until, --shard, and the
// files they come from (--exclude).
type Selection struct {
	Files
	Jobs         Names
	Since, Until string
	Shard        string
}

// Register declares the selection flags on fs.
func (s *Selection) Register(fs *flag.FlagSet) {
	s.Files.Register(fs)
	fs.Var(&s.Jobs, "job", "only this plan job, as `NAME` or PLAN/NAME (repeatable); an unknown name is an error that lists the jobs")
	fs.StringVar(&s.Since, "since", "", "only the windows that end after this `time` (RFC 3339, or a date read in each job's timezone); leaves out requests without a window")
	fs.StringVar(&s.Until, "until", "", "only the windows that start before this `time` (a date: through that day); leaves out requests without a window")
	fs.StringVar(&s.Shard, "shard", "", "only the K-th of N disjoint parts of the plans' requests, as `K/N` (1 <= K <= N)")
}

// Outputs are the format of stdout and the files a command may also write.
type Outputs struct {
	Format                       string
	Report, JUnit, Results, HTML string
	// Wide prints every value of the text tables whole (--wide), instead of fitting them
	// to the terminal, $COLUMNS or 80 columns.
	Wide bool
}

// outputFiles are the file flags an Outputs may register, with their help.
var outputFiles = []struct{ name, usage string }{
	{"report", "write a JSON report of every request to this `file`"},
	{"junit", "also write a JUnit XML report (one test case per request or check) to this `file`"},
	{"results", "with --wait: write every object's outcome in the followed batch jobs to this `file`, as JSON Lines (the lines of planrun results --format json)"},
	{"html", "also write the plans' requests as a grid of windows, one self-contained HTML page, to this `file`"},
}

// Register declares --format with its fixed choices (the first is the default), described
// by help ("" for "output: " and the choices), the file flags named in files (report,
// junit, results, html), and --wide when files names "wide" (the commands that print
// tables).
func (o *Outputs) Register(fs *flag.FlagSet, help string, formats []string, files ...string) {
	o.Format = formats[0]
	if help == "" {
		help = "output: " + strings.Join(formats, ", ")
	}
	fs.Var(&Choice{&o.Format, formats}, "format", help)
	if slices.Contains(files, "wide") {
		fs.BoolVar(&o.Wide, "wide", false, "print every value of the text tables whole, however wide (by default they fit the terminal, $COLUMNS or 80 columns)")
	}
	for _, f := range outputFiles {
		if slices.Contains(files, f.name) {
			fs.StringVar(o.file(f.name), f.name, "", f.usage)
		}
	}
}

func (o *Outputs) file(name string) *string {
	return map[string]*string{"report": &o.Report, "junit": &o.JUnit, "results": &o.Results, "html": &o.HTML}[name]
}

// Choice is a flag with fixed values; shell completion offers them (see Choices).
type Choice struct {
	Value   *string
	Allowed []string
}

// NewChoice declares a flag of fixed values on fs, its default the first.
func NewChoice(fs *flag.FlagSet, name, usage string, allowed ...string) *string {
	v := allowed[0]
	fs.Var(&Choice{&v, allowed}, name, usage)
	return &v
}

func (c *Choice) String() string {
	if c == nil || c.Value == nil {
		return ""
	}
	return *c.Value
}

// Set accepts one of the allowed values.
func (c *Choice) Set(s string) error {
	if !slices.Contains(c.Allowed, s) {
		return fmt.Errorf("want one of %s", strings.Join(c.Allowed, ", "))
	}
	*c.Value = s
	return nil
}

// Choices are the values the flag accepts.
func (c *Choice) Choices() []string { return c.Allowed }

// Names is a repeatable flag of names (--job NAME, or --job a,b).
type Names []string

func (n *Names) String() string { return strings.Join(*n, ",") }

// Set adds the comma-separated names of v.
func (n *Names) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*n = append(*n, s)
		}
	}
	return nil
}

// Values are the names, one per flag to repeat.
func (n *Names) Values() []string { return *n }

// Globs is a repeatable flag of globs (--exclude).
type Globs []string

func (g *Globs) String() string { return strings.Join(*g, ",") }

// Set adds one glob.
func (g *Globs) Set(v string) error { *g = append(*g, v); return nil }

// Values are the globs, one per flag to repeat.
func (g *Globs) Values() []string { return *g }

// statePath is the --state flag: a path, never empty (an empty value would silently mean
// the default file).
type statePath struct{ p *string }

func (v statePath) String() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}

func (v statePath) Set(s string) error {
	if s == "" {
		return errors.New("the path is empty; name a file, or leave --state out for the default")
	}
	*v.p = s
	return nil
}
