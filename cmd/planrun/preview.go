package main

import (
	"context"
	"fmt"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/report"
	"github.com/planrun/planrun/state"
)

// preview is `run --dry-run`: it prints what a run would send. With a state file (read
// only, never created) or --refresh (the service, listed only), each request is create or
// skip, and the batch jobs no longer in the plans are listed. With --detailed-exitcode the
// exit status says whether anything would be sent: 0 nothing, 3 something.
func (f *runFlags) preview(ctx context.Context, e *env, plans []*plan.Plan, shard plan.Shard) error {
	keep := f.keep(shard)
	known, done, err := f.knowDone(ctx, e, plans, keep)
	if err != nil {
		return err
	}
	defer done()
	write := func(s report.Sink) error {
		if err := s.Preview(plans, keep); err != nil {
			return err
		}
		return s.Flush()
	}
	sink, err := report.New(f.format, e.stdout, report.WithKnown(known))
	if err != nil {
		return err
	}
	if err := write(sink); err != nil {
		return err
	}
	if err := report.AppendStepSummary(e.getenv("GITHUB_STEP_SUMMARY"), write, report.WithKnown(known)); err != nil {
		return err
	}
	if !f.detailedExit {
		return nil
	}
	if send, err := known.WouldSend(plans, keep); err != nil || !send {
		return err
	}
	return exitError{exitPending}
}

// knowDone reads what is done: the state file when it exists (opened read-only: a dry run
// never creates or writes it), and the service with --refresh. done closes what it opened.
func (f *runFlags) knowDone(ctx context.Context, e *env, plans []*plan.Plan, keep func(*plan.Request) bool) (*executor.Known, func(), error) {
	var closers []func()
	done := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	path := f.statePath()
	var store *state.Store
	if fileExists(path) {
		var err error
		if store, err = state.OpenReadOnly(path); err != nil {
			return nil, nil, usageError{fmt.Errorf("run: %w", err)}
		}
		closers = append(closers, func() { store.Close() })
		// The state's endpoint is checked when the user names one: a preview of another
		// service's state would mislead.
		if f.endpoint != "" || f.refresh {
			if err := store.CheckEndpoint(ctx, f.label()); err != nil {
				done()
				return nil, nil, usageError{fmt.Errorf("run: %w", err)}
			}
		}
	}
	var api executor.API
	if f.refresh {
		c, closeAPI, err := f.client(e, "run --dry-run --refresh")
		if err != nil {
			done()
			return nil, nil, err
		}
		closers = append(closers, closeAPI)
		api = c
	}
	known, err := executor.KnowDone(ctx, api, store, plans, f.options(nil, keep))
	if err != nil {
		done()
		return nil, nil, configError(e, fmt.Errorf("run: what is done: %w", err))
	}
	return known, done, nil
}
