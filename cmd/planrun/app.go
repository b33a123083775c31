package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/planrun/planrun/report"
)

// Exit codes, as the README's "Exit status" lists them.
const (
	exitOK          = 0
	exitFailed      = 1 // the plan is invalid, or some request or job failed
	exitUsage       = 2 // bad usage or configuration
	exitPending     = 3 // run --dry-run --detailed-exitcode: some request would be sent
	exitInterrupted = 130
)

// env is what a command may read from the outside world; tests fill it in.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	isTerminal     bool // stdout is a terminal: colour in the summary
	errTerminal    bool // stderr is a terminal: a live progress line instead of periodic lines
	errWidth       func() int
	cons           *report.Console
	args           []string // the command line after "planrun", for the summary's next steps
}

// console is stderr shared by the live progress line and messages.
func (e *env) console() *report.Console {
	if e.cons == nil {
		e.cons = report.NewConsole(e.stderr, e.errTerminal, e.errWidth)
	}
	return e.cons
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
	e := &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, isTerminal: isTerminal(os.Stdout),
		errTerminal: isTerminal(os.Stderr), errWidth: termWidth(os.Stderr)}
	e.console() // made before the signal handler shares it
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		e.console().Println("planrun: interrupted: stopping cleanly (press Ctrl-C again to exit at once)")
		cancel()
		<-sigs
		os.Exit(exitInterrupted)
	}()
	return run(ctx, args, e)
}

// run executes one planrun invocation and returns its exit status. It never calls os.Exit.
func run(ctx context.Context, args []string, e *env) int {
	e.args = args
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

// command is one planrun command. It declares its flags once, in setup: the help, the shell
// completion and the docs tests (through --help) all read them from there.
type command struct {
	name, summary string
	usage         string // the help text above the flags: usage line, description, examples
	// setup declares the command's flags on fs and returns the function that runs the
	// command with their values and the positional arguments.
	setup func(fs *flag.FlagSet) runFunc
}

type runFunc func(ctx context.Context, args []string, e *env) error

func commands() []command {
	return []command{
		{"validate", "check plan files (schema and semantics); no network, no credentials", validateUsage, setupValidate},
		{"run", "trigger every request of the plans not already done (--dry-run: only print them)", runUsage, setupRun},
		{"status", "show what the state holds: each request, its job id and last known state", statusUsage, setupStatus},
		{"cancel", "cancel the plans' jobs that are not finished", cancelUsage, setupCancel},
		{"results", "show every object's outcome in the plans' batch jobs (--failed: the failures)", resultsUsage, setupResults},
		{"retry", "trigger again, one batch job per object, every object whose latest attempt failed", retryUsage, setupRetry},
		{"emulator", "serve the local CI emulator until stopped", emulatorUsage, setupEmulator},
		{"schema", "print the plan JSON Schema", schemaUsage, setupSchema},
		{"completion", "print a shell completion script (bash, zsh or fish)", completionUsage, setupCompletion},
		{"version", "print the planrun version", versionUsage, setupVersion},
	}
}

// flagSet returns the flag set of c, its flags declared, and the function that runs c.
func (c command) flagSet(e *env) (*flag.FlagSet, runFunc) {
	fs := newFlagSet(e, c.name, c.usage)
	return fs, c.setup(fs)
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
	var names []string
	for _, c := range commands() {
		if c.name == name {
			fs, run := c.flagSet(e)
			rest, err := parseFlags(fs, args[1:])
			if err != nil {
				return err
			}
			return run(ctx, rest, e)
		}
		names = append(names, c.name)
	}
	msg := fmt.Sprintf("unknown command %q", name)
	if strings.HasPrefix(name, "-") {
		msg = fmt.Sprintf("unknown flag %s before the command", name)
	} else if s := closest(name, append(names, "help")); s != "" {
		msg += fmt.Sprintf("; did you mean %s?", s)
	}
	return usagef("%s\nRun 'planrun help' for the commands.", msg)
}

func printUsage(w io.Writer) {
	var cmds []report.CommandInfo
	for _, c := range commands() {
		cmds = append(cmds, report.CommandInfo{Name: c.name, Summary: c.summary})
	}
	report.WriteUsage(w, cmds)
}
