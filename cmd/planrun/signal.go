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
		say("planrun: terminated: stopping cleanly, saving the state and the report")
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
