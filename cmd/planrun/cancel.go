package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/report"
	"github.com/planrun/planrun/state"
)

const cancelUsage = `Usage: planrun cancel [flags] PLAN...

Cancels the jobs of these plans that are not finished (Submitted, Running or Pause) and reports
each job: cancelled, already finished, or the error. It finds the jobs on the service by their
names, so it also works from a machine without the state file, and while a run --wait holds
the state: that run then reports the jobs cancelled.

Only the jobs of the plan as it is now are reached: after 'generation' was bumped or a job
edited, the earlier jobs have other names. --all-generations reaches them too: the unfinished
jobs of the plan's jobs with any other name (found in the state, and on the service by the
names' "<plan>-<job>-" start, listing without a time bound), marked "not in the plan".

Examples:
  planrun cancel plans/backfill.yaml
  planrun cancel --format json plans/backfill.yaml
  planrun cancel --all-generations plans/backfill.yaml  # older generations too`

func setupCancel(fs *flag.FlagSet) runFunc {
	var f serviceFlags
	var sf selectFlags
	format := fs.String("format", "text", "output: "+strings.Join(report.Formats(report.Cancel), ", ")+" (JSON Lines, one object per job)")
	allGenerations := fs.Bool("all-generations", false, "also cancel the unfinished jobs the plan no longer makes: earlier generations, and jobs edited since")
	f.register(fs)
	sf.register(fs)
	return func(ctx context.Context, paths []string, e *env) error {
		if err := report.CheckFormat(report.Cancel, *format); err != nil {
			return usagef("cancel: %v", err)
		}
		if len(paths) == 0 {
			return usagef("cancel: no plan file given")
		}
		plans, err := loadValid(e, paths, nil, "text")
		if err != nil {
			return err
		}
		sel, err := sf.compile("cancel", plans)
		if err != nil {
			return err
		}
		api, closeAPI, err := f.client(e, "cancel")
		if err != nil {
			return err
		}
		defer closeAPI()
		store, err := openForCancel(e, f.statePath())
		if err != nil {
			return usageError{fmt.Errorf("cancel: %w", err)}
		}
		defer store.Close()
		if err := store.CheckEndpoint(ctx, f.label()); err != nil {
			return usageError{fmt.Errorf("cancel: %w", err)}
		}
		// Each outcome is rendered as it arrives: nothing grows with the plan.
		sink, err := report.NewCancelled(e.stdout, *format)
		if err != nil {
			return err
		}
		var sinkErr error
		sum, cerr := executor.CancelEach(ctx, api, store, plans, executor.Options{RequestTimeout: f.timeout, AllGenerations: *allGenerations,
			Filter: selFilter(sel)}, func(r executor.CancelResult) error {
			sinkErr = sink.Cancelled(r)
			return sinkErr
		})
		if sinkErr != nil {
			return sinkErr
		}
		if sum.Jobs == 0 && (errors.Is(cerr, ciapi.ErrUnreachable) || errors.Is(cerr, ciapi.ErrCertificate)) {
			return configError(e, cerr) // one line, no empty table
		}
		if err := sink.Flush(); err != nil {
			return err
		}
		report.WriteDuplicated(e.stderr, sum.Duplicated)
		if cerr != nil {
			return configError(e, fmt.Errorf("cancel: %w", cerr))
		}
		if sum.Failed > 0 {
			return exitError{exitFailed}
		}
		return nil
	}
}

// openForCancel opens the state for cancel: with its lock when no other planrun holds it;
// while one does (a run --wait), or when the file cannot be written, for reading only.
// Cancel then changes nothing in the state: the run that holds it sees the jobs cancelled
// on its next poll.
func openForCancel(e *env, path string) (*state.Store, error) {
	store, err := state.Open(path)
	if errors.Is(err, state.ErrReadOnly) {
		return state.OpenReadOnly(path)
	}
	if err != nil {
		return nil, err
	}
	err = store.Lock()
	if errors.Is(err, state.ErrStateInUse) {
		store.Close()
		fmt.Fprintf(e.stderr, "planrun: %s is in use by another planrun: cancelling through the service only, the state is left to it (a run --wait sees the jobs cancelled on its next poll)\n", path)
		return state.OpenReadOnly(path)
	}
	if err != nil {
		store.Close()
		return nil, err
	}
	return store, nil
}
