package main

import (
	"flag"
	"strings"

	"github.com/planrun/planrun/plan"
)

// selectFlags are --job, --since and --until, which narrow the commands that read plans
// (run, run --dry-run, status, cancel, results) to some plan jobs and windows, declared
// in one place. The selection itself is plan.Selection.
type selectFlags struct {
	jobs         nameList
	since, until string
}

// register declares the flags on fs.
func (f *selectFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.jobs, "job", "only this plan job, as `NAME` or PLAN/NAME (repeatable); an unknown name is an error that lists the jobs")
	fs.StringVar(&f.since, "since", "", "only the windows that end after this `time` (RFC 3339, or a date read in each job's timezone); leaves out requests without a window")
	fs.StringVar(&f.until, "until", "", "only the windows that start before this `time` (a date: through that day); leaves out requests without a window")
}

// given reports whether any of the flags narrows the plans.
func (f *selectFlags) given() bool { return !f.selection().IsZero() }

func (f *selectFlags) selection() plan.Selection {
	return plan.Selection{Jobs: f.jobs, Since: f.since, Until: f.until}
}

// compile checks the selection against plans: an unknown job, a bad time, or a selection
// that keeps no request at all is bad usage (exit 2).
func (f *selectFlags) compile(cmd string, plans []*plan.Plan) (*plan.Selector, error) {
	sel, err := f.selection().Compile(plans)
	if err != nil {
		return nil, usagef("%s: %v", cmd, err)
	}
	if f.given() && !sel.Any(plans) {
		return nil, usagef("%s: %s keeps no request of the plans", cmd, f.describe())
	}
	return sel, nil
}

// describe renders the given flags, for messages.
func (f *selectFlags) describe() string {
	var parts []string
	for _, j := range f.jobs {
		parts = append(parts, "--job "+j)
	}
	if f.since != "" {
		parts = append(parts, "--since "+f.since)
	}
	if f.until != "" {
		parts = append(parts, "--until "+f.until)
	}
	return strings.Join(parts, " ")
}

// nameList is a repeatable flag of names (--job).
type nameList []string

func (n *nameList) String() string { return strings.Join(*n, ",") }
func (n *nameList) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*n = append(*n, s)
		}
	}
	return nil
}

// selFilter is sel as an executor.Options.Filter: nil when it keeps everything.
func selFilter(sel *plan.Selector) func(*plan.Request) bool {
	if sel.IsZero() {
		return nil
	}
	return sel.Keep
}
