package main

import (
	"errors"
	"flag"
	"io"
	"strings"

	"github.com/planrun/planrun/report/help"
	"github.com/planrun/planrun/schema"
	"github.com/planrun/planrun/session"
)

// newFlagSet makes a flag set that reports errors instead of exiting. --help (and -h)
// prints the usage and the flags on stdout, with two dashes as the README writes them.
func newFlagSet(e *env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stdout)
	fs.Usage = func() {
		session.AnnotateEnv(fs)
		help.WriteHelp(fs.Output(), usage, fs)
	}
	return fs
}

// parseFlags parses args, allowing flags after positional arguments (planrun run plan.yaml
// --dry-run). A bad flag gives one line, with a suggestion for a misspelt name, and where
// to find the help; only --help prints the whole usage.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	usage, out := fs.Usage, fs.Output()
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	defer func() { fs.Usage = usage; fs.SetOutput(out) }()
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(out)
				usage()
				return nil, err
			}
			return nil, usagef("%s: %s (see 'planrun %s --help')", fs.Name(), flagProblem(fs, err), fs.Name())
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// flagProblem rewords the flag package's error with two dashes, and suggests the closest
// flag for an unknown one: "unknown flag --dryrun; did you mean --dry-run?".
func flagProblem(fs *flag.FlagSet, err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		name = strings.TrimLeft(name, "-")
		msg = "unknown flag --" + name
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		if s := closest(name, names); s != "" {
			msg += "; did you mean --" + s + "?"
		}
		return msg
	}
	// "invalid value "x" for flag -qps: ...", "flag needs an argument: -state"
	if rest, ok := strings.CutPrefix(msg, "invalid value "); ok {
		if i := strings.LastIndex(rest, " for flag -"); i >= 0 {
			name, problem, _ := strings.Cut(rest[i+len(" for flag -"):], ": ")
			if f := fs.Lookup(name); f != nil {
				msg = "invalid value " + rest[:i] + " for flag -" + name + ": " + session.ValueProblem(f, errors.New(problem))
			}
		}
	}
	return strings.NewReplacer("flag -", "flag --", "argument: -", "argument: --").Replace(msg)
}

// closest returns the candidate nearest to s (at most 2 edits, and fewer than half of s),
// else one that differs from s by two swapped letters (--qsp: --qps) or that s is a
// prefix of, or "".
func closest(s string, candidates []string) string {
	if best := schema.Closest(s, candidates); best != "" {
		return best
	}
	for _, c := range candidates {
		if swapped(s, c) || (len(s) >= 3 && strings.HasPrefix(c, s)) {
			return c
		}
	}
	return ""
}

// swapped reports whether a is b with two neighbouring letters swapped.
func swapped(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
}
