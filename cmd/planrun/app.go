package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes of the contract (§3).
const (
	exitOK          = 0
	exitFailed      = 1 // the plan is invalid, or some request or job failed
	exitUsage       = 2 // bad usage or configuration
	exitInterrupted = 130
)

// env is what a command may read from the outside world; tests fill it in.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	isTerminal     bool     // stdout is a terminal: colour in the summary
	errTerminal    bool     // stderr is a terminal: a live progress line instead of periodic lines
	exclude        globList // --exclude: globs that leave files out of plan folders
}

// usageError marks a bad invocation or configuration: exit status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// exitError carries an exit status chosen by a command that already told the user why.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// runMain wires the process: signals, environment, and the exit status.
// The first SIGINT/SIGTERM cancels the context (commands stop starting new work, finish what is
// in flight and save state); a second one exits at once with 130.
func runMain(args []string) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		fmt.Fprintln(os.Stderr, "planrun: interrupted: stopping cleanly (press Ctrl-C again to exit at once)")
		cancel()
		<-sigs
		os.Exit(exitInterrupted)
	}()
	e := &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, isTerminal: isTerminal(os.Stdout),
		errTerminal: isTerminal(os.Stderr)}
	return run(ctx, args, e)
}

// run executes one planrun invocation and returns its exit status. It never calls os.Exit.
func run(ctx context.Context, args []string, e *env) int {
	err := dispatch(ctx, args, e)
	return exitCode(ctx, err, e)
}

func exitCode(ctx context.Context, err error, e *env) int {
	if err == nil {
		return exitOK
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		fmt.Fprintln(e.stderr, "planrun: interrupted")
		return exitInterrupted
	}
	fmt.Fprintf(e.stderr, "planrun: %v\n", err)
	var ue usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	return exitFailed
}

type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, e *env) error
}

func commands() []command {
	return []command{
		{"validate", "check plan files (schema and semantics); no network, no credentials", cmdValidate},
		{"run", "trigger every request of the plans not already done (--dry-run: only print them)", cmdRun},
		{"status", "show what the state holds: each request, its job id and last known state", cmdStatus},
		{"cancel", "cancel the plans' jobs that are not finished", cmdCancel},
		{"results", "show every object's outcome in the plans' batch jobs (--failed: the failures)", cmdResults},
		{"emulator", "serve the local CI emulator until stopped", cmdEmulator},
		{"schema", "print the plan JSON Schema", cmdSchema},
		{"completion", "print a shell completion script (bash, zsh or fish)", cmdCompletion},
		{"version", "print the planrun version", cmdVersion},
	}
}

func dispatch(ctx context.Context, args []string, e *env) error {
	if len(args) == 0 {
		printUsage(e.stderr)
		return usagef("no command given")
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			return dispatch(ctx, []string{args[1], "--help"}, e)
		}
		printUsage(e.stdout)
		return nil
	case "-v", "--version":
		name = "version"
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, args[1:], e)
		}
	}
	printUsage(e.stderr)
	return usagef("unknown command %q", name)
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, `planrun turns YAML plan files into Cloud Infinite batch processing jobs.

Usage:
  planrun <command> [flags] [args]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run 'planrun <command> --help' for a command's flags and examples.
Exit status: 0 all good; 1 invalid plan or failed request/job; 2 bad usage or configuration; 130 interrupted.
`)
}

// newFlagSet makes a flag set that reports errors instead of exiting. --help prints usage
// and the flags; a bad flag prints one line and where to find the help.
func newFlagSet(e *env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "%s\nFlags:\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, allowing flags after positional arguments (planrun run plan.yaml --dry-run).
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	// The flag package prints its error and the usage itself; planrun prints the error once,
	// with a pointer to --help, and the full usage only for --help.
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
			return nil, usageError{fmt.Errorf("%s: %w (see 'planrun %s --help')", fs.Name(), err, fs.Name())}
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
