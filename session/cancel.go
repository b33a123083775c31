package session

import (
	"context"
	"errors"
	"fmt"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/executor/follow"
	"github.com/planrun/planrun/report"
	"github.com/planrun/planrun/state"
)

// Cancel is planrun cancel: it cancels the unfinished batch jobs of the plans under
// paths (of every generation with allGenerations), paced by the rate group, and renders
// each outcome as it arrives.
func (s *Session) Cancel(ctx context.Context, paths []string, allGenerations bool) error {
	if err := s.NeedPlans(paths); err != nil {
		return err
	}
	plans, sel, err := s.LoadSelected(paths, "text")
	if err != nil {
		return err
	}
	api, closeAPI, err := s.Client()
	if err != nil {
		return err
	}
	defer closeAPI()
	store, err := s.OpenState(ctx, Shared, true)
	if err != nil {
		return err
	}
	defer s.closeState(store)
	// Each outcome is rendered as it arrives: nothing grows with the plan.
	sink, err := report.NewCancelled(s.IO.Stdout, s.Out.Format, s.IO.TableOptions(&s.Out)...)
	if err != nil {
		return err
	}
	opts := s.Options(nil, sel.Filter())
	opts.AllGenerations = allGenerations
	rec := s.cancelRecorder(store)
	if rec != store && rec != nil {
		defer s.closeState(rec)
	}
	var sinkErr error
	sum, cerr := follow.CancelEachRecording(ctx, api, store, rec, plans, opts, func(r follow.CancelResult) error {
		sinkErr = sink.Cancelled(r)
		return sinkErr
	})
	if sinkErr != nil {
		return sinkErr
	}
	if sum.Jobs == 0 && (errors.Is(cerr, ciapi.ErrUnreachable) || errors.Is(cerr, ciapi.ErrCertificate)) {
		return s.serviceError(cerr) // one line, no empty table
	}
	if err := sink.Flush(); err != nil {
		return err
	}
	report.WriteDuplicated(s.IO.Stderr, sum.Duplicated)
	if cerr != nil {
		return s.serviceError(fmt.Errorf("cancel: %w", cerr))
	}
	if sum.Failed > 0 {
		return Failed
	}
	return nil
}

// cancelRecorder is where cancel records the user's cancels (see state.Store.PutUserCancels): the
// state itself, or, while another planrun holds it (store is then read-only), the same
// file opened without the lock, so that a run --wait --max-attempts running beside it
// leaves these batch jobs cancelled. nil when the file cannot be written: then it says so.
func (s *Session) cancelRecorder(store *state.Store) *state.Store {
	if !store.ReadOnly() {
		return store
	}
	rec, err := state.Open(s.Service.StatePath())
	if err != nil {
		s.IO.Warnf("the cancels are not recorded in %s (%v): a run --wait --max-attempts may send these batch jobs again",
			s.Service.StatePath(), err)
		return nil
	}
	return rec
}
