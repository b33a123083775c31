package main

import (
	"flag"
	"os"
	"strconv"
	"strings"

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

// gridWidth is the width to draw in: $COLUMNS, else the terminal's, else 80.
func gridWidth(e *env) int {
	if n, err := strconv.Atoi(e.getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	if e.isTerminal {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil && w > 0 {
			return w
		}
	}
	return 80
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
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
