package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/report/help"
	"github.com/planrun/planrun/report/safetext"
	"github.com/planrun/planrun/session"
	"golang.org/x/term"
)

// Exit codes, as the README's "Exit status" lists them.
const (
	exitOK          = int(session.OK)
	exitFailed      = int(session.Failed) // the plan is invalid, or some request or job failed
	exitUsage       = int(session.Usage)  // bad usage or configuration
	exitPending     = int(session.Pending)
	exitInterrupted = int(session.Interrupted)
)

// env is what a command may read from the outside world; tests fill it in.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	isTerminal     bool // stdout is a terminal: colour in the summary
	errTerminal    bool // stderr is a terminal: a live progress line instead of periodic lines
	errWidth       func() int
	args           []string // the command line after "planrun", for the summary's next steps
	sio            *session.IO
}

// io is env as the session package takes it, made once.
func (e *env) io() *session.IO {
	if e.sio == nil {
		getenv := func(k string) string {
			if e.getenv == nil {
				return ""
			}
			return e.getenv(k)
		}
		e.sio = &session.IO{Stdout: e.stdout, Stderr: e.stderr, Getenv: getenv, StdoutTTY: e.isTerminal,
			StderrTTY: e.errTerminal, ErrWidth: e.errWidth, OutWidth: termWidth(os.Stdout), Args: e.args,
			Emulator: func(statePath string) (emulator.Options, error) { return emulatorOptions(e, statePath) }}
	}
	return e.sio
}

// usagef is a usage error (exit status 2).
func usagef(format string, args ...any) error { return session.Usagef(format, args...) }

// runMain wires the process: signals, environment, and the exit status.
func runMain(args []string) int {
	e := &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, isTerminal: isTerminal(os.Stdout),
		errTerminal: isTerminal(os.Stderr), errWidth: termWidth(os.Stderr)}
	return runSignalled(args, e, notifySignals(), os.Exit)
}

// runSignalled is run with the signals of sigs handled (see handleSignals); exit ends the
// process at once on a late second signal.
func runSignalled(args []string, e *env, sigs <-chan os.Signal, exit func(int)) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.args = args
	e.io().Console() // made before the signal handler shares it
	go handleSignalsSaying(termWordsFor(args), sigs, cancel, e.io().Console().Println, exit)
	return run(ctx, args, e)
}

// run executes one planrun invocation and returns its exit status. It never calls os.Exit.
func run(ctx context.Context, args []string, e *env) int {
	e.args = args
	err := dispatch(ctx, args, e)
	return exitCode(ctx, err, e)
}

// exitCode maps the error of a command to the exit status, saying it when the command
// did not.
func exitCode(ctx context.Context, err error, e *env) int {
	var o session.Outcome
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &o):
		return int(o)
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		fmt.Fprintln(e.stderr, "planrun: interrupted")
		return exitInterrupted
	}
	fmt.Fprintf(e.stderr, "planrun: %s\n", safetext.Text(err.Error()))
	if errors.As(err, new(session.UsageError)) {
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
		if len(args) > 1 && !isHelpWord(args[1]) {
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

// isHelpWord reports whether arg asks for help: "planrun help help" and "planrun --help -h"
// print the usage rather than asking for the help of help, forever.
func isHelpWord(arg string) bool {
	switch arg {
	case "help", "-h", "-help", "--help":
		return true
	}
	return false
}

func printUsage(w io.Writer) {
	var cmds []help.CommandInfo
	for _, c := range commands() {
		cmds = append(cmds, help.CommandInfo{Name: c.name, Summary: c.summary})
	}
	help.WriteUsage(w, cmds)
}

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
