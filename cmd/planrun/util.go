package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/planrun/planrun/report"

	"golang.org/x/term"
)

const defaultMaxRequests = 10000

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// writeFileWith writes a report file atomically: to a temporary file beside it, renamed into
// place once complete, so a reader never sees half a report.
func writeFileWith(path string, write func(w io.Writer) error) error {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriter(tmp)
	if err := write(bw); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func mkdirFor(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("create folder for %s: %w", path, err)
	}
	return nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// writeValidation prints the outcome of checking plan files on stdout in format.
func writeValidation(e *env, format string, results []fileResult) error {
	return report.WriteValidation(e.stdout, format, planChecks(results))
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

// globList is a repeatable flag of globs (--exclude).
type globList []string

func (g *globList) String() string     { return strings.Join(*g, ",") }
func (g *globList) Set(v string) error { *g = append(*g, v); return nil }

// registerExclude declares --exclude on a command that reads plan folders.
func registerExclude(fs *flag.FlagSet, e *env) {
	fs.Var(&e.exclude, "exclude", "leave files and folders matching this `glob` out of plan folders (repeatable; a glob without / matches base names)")
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
