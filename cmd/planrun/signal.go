package main

import (
	"os"
	"os/signal"
	"syscall"
	"time"
)

// signalGrace is how close two signals must be to count as one: GNU timeout (and a
// terminal's Ctrl-C, to a process group) sends TERM both to planrun and to its group, so
// planrun may see two at once where the user meant one.
const signalGrace = time.Second

// termWords is what planrun says at the first TERM: a command that keeps a state or writes a
// report saves them first.
var termWords = "planrun: terminated: stopping cleanly, saving the state and the report"

// termWordsFor is what the command of args says at the first TERM: the commands that keep
// no state and write no report (the emulator, validate, ...) only stop.
func termWordsFor(args []string) string {
	if len(args) > 0 {
		switch args[0] {
		case "run", "retry", "results", "status", "cancel":
		default:
			return "planrun: terminated: stopping"
		}
	}
	return termWords
}

// notifySignals delivers SIGINT and SIGTERM.
func notifySignals() <-chan os.Signal {
	c := make(chan os.Signal, 4)
	signal.Notify(c, os.Interrupt, syscall.SIGTERM)
	return c
}

// handleSignals cancels the run at the first signal (commands stop starting new work,
// finish what is in flight, save the state and write the report, then exit 130). A
// signal within signalGrace of the first is the same one; a later one exits at once with
// 130 (the state is a SQLite database: each write is whole or not at all). now is the
// clock (nil: time.Now).
func handleSignals(sigs <-chan os.Signal, cancel func(), say func(string), exit func(int), now ...func() time.Time) {
	handleSignalsSaying(termWords, sigs, cancel, say, exit, now...)
}

// handleSignalsSaying is handleSignals saying termWords at the first TERM.
func handleSignalsSaying(termWords string, sigs <-chan os.Signal, cancel func(), say func(string), exit func(int), now ...func() time.Time) {
	clock := time.Now
	if len(now) > 0 {
		clock = now[0]
	}
	first, ok := <-sigs
	if !ok {
		return
	}
	at := clock()
	if first == os.Interrupt {
		say("planrun: interrupted: stopping cleanly (press Ctrl-C again to exit at once)")
	} else {
		say(termWords)
	}
	cancel()
	for range sigs {
		if clock().Sub(at) < signalGrace {
			continue
		}
		exit(exitInterrupted)
		return
	}
}
