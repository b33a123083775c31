package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/planrun/planrun/report"

	"golang.org/x/term"
)

const defaultMaxRequests = 10000

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// termWidth returns the width of the terminal f, 0 when unknown.
func termWidth(f *os.File) func() int {
	return func() int {
		w, _, err := term.GetSize(int(f.Fd()))
		if err != nil {
			return 0
		}
		return w
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// writeValidation prints the outcome of checking plan files on stdout in format.
func writeValidation(e *env, format string, results []fileResult) error {
	sink, err := report.New(format, e.stdout)
	if err != nil {
		return err
	}
	if err := sink.Checks(planChecks(results)); err != nil {
		return err
	}
	return sink.Flush()
}

// planChecks converts the loaded results for the report package.
func planChecks(results []fileResult) []report.PlanCheck {
	checks := make([]report.PlanCheck, len(results))
	for i, r := range results {
		checks[i] = report.PlanCheck{Path: r.Path, Requests: r.Requests, Problems: r.Problems}
		if r.Plan != nil {
			checks[i].Plan = r.Plan.Name
		}
	}
	return checks
}

// appendStepSummary appends Markdown to $GITHUB_STEP_SUMMARY when GitHub Actions set it.
func appendStepSummary(e *env, write func(report.Sink) error) error {
	path := e.getenv("GITHUB_STEP_SUMMARY")
	if path == "" {
		return nil
	}
	err := report.AppendFile(path, func(w io.Writer) error {
		sink, err := report.New("markdown", w)
		if err != nil {
			return err
		}
		return write(sink)
	})
	if err != nil {
		return fmt.Errorf("step summary: %w", err)
	}
	return nil
}

// globList is a repeatable flag of globs (--exclude).
type globList []string

func (g *globList) String() string     { return strings.Join(*g, ",") }
func (g *globList) Set(v string) error { *g = append(*g, v); return nil }

// registerExclude declares --exclude on a command that reads plan folders.
func registerExclude(fs *flag.FlagSet) *globList {
	g := &globList{}
	fs.Var(g, "exclude", "leave files and folders matching this `glob` out of plan folders (repeatable; a glob without / matches base names)")
	return g
}

// printWarnings writes the plans' warnings to stderr: valid, but probably not meant.
func printWarnings(e *env, results []fileResult) {
	for _, r := range results {
		if r.Plan != nil {
			for _, w := range r.Plan.Warnings {
				fmt.Fprintln(e.stderr, "warning:", w)
			}
		}
	}
}
