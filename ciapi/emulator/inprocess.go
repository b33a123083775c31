package emulator

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"time"
)

// Defaults of an in-process emulator's objects (planrun's --emulator): a few objects fail,
// a share of them on every attempt, so that results and retry have something to show.
const (
	InProcessFailRate       = 0.02
	InProcessPermanentShare = 0.25
)

// StateFileFor is where an in-process emulator keeps what it holds between invocations,
// beside planrun's state file statePath: .planrun/emulator.json for .planrun/emulator.db,
// and <state without extension>.emulator.json for any other state file.
func StateFileFor(statePath string) string {
	base := strings.TrimSuffix(statePath, filepath.Ext(statePath))
	if filepath.Base(base) != "emulator" {
		base += ".emulator"
	}
	return base + ".json"
}

// InProcessOptions configure an in-process emulator beside the state file statePath: jobs
// that end within seconds, the default failing objects, and its jobs kept in
// StateFileFor(statePath).
func InProcessOptions(statePath string) Options {
	return Options{SubmittedFor: time.Second, RunningFor: 2 * time.Second,
		Objects:   ObjectOptions{FailRate: InProcessFailRate, PermanentShare: InProcessPermanentShare},
		StateFile: StateFileFor(statePath)}
}

// NewFromFile returns New(opts) holding what opts.StateFile holds, when it is set and
// the file exists.
func NewFromFile(opts Options) (*Server, error) {
	s := New(opts)
	if opts.StateFile != "" {
		if err := s.loadIfPresent(opts.StateFile); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// ServeToFile serves s on ln until ctx is done, then saves what it holds to
// Options.StateFile when set.
func ServeToFile(ctx context.Context, ln net.Listener, s *Server, opts Options) error {
	err := Serve(ctx, ln, s)
	if opts.StateFile != "" {
		err = errors.Join(err, s.Save(opts.StateFile))
	}
	return err
}
