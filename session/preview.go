package session

import (
	"context"
	"fmt"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/report"
)

// preview is run --dry-run: it prints what a run would send. With a state file (read
// only, never created) or --refresh (the service, listed only), each request is create or
// skip, and the batch jobs no longer in the plans are listed. With --detailed-exitcode the
// outcome says whether anything would be sent: OK nothing, Pending something.
func (s *Session) preview(ctx context.Context, o *RunOptions, plans []*plan.Plan, sel *Selector) error {
	// The state's endpoint is checked when the user names one: a preview of another
	// service's state would mislead.
	store, err := s.OpenState(ctx, ReadOnly, s.Service.Endpoint != "" || o.Refresh)
	if err != nil {
		return err
	}
	if store != nil {
		defer s.closeState(store)
	}
	var api executor.API
	if o.Refresh {
		c, closeAPI, err := s.Client()
		if err != nil {
			return err
		}
		defer closeAPI()
		api = c
	}
	if rerun, _ := o.rerun(); rerun.Any() {
		// The attempts a run --rerun would send, as the state (and, with --refresh, the
		// service) tells; nothing is written.
		set, err := executor.Reruns(ctx, api, store, plans, rerun, false, s.Options(nil, sel.Filter()))
		if err != nil {
			return s.serviceError(fmt.Errorf("%s: what to send again: %w", s.Cmd, err))
		}
		if err := set.CheckLimit(o.MaxRequests); err != nil {
			s.IO.Warnf("%v", err)
			return Failed
		}
		plans = set.Plans
	}
	known, err := executor.KnowDone(ctx, api, store, plans, s.Options(nil, sel.Keep))
	if err != nil {
		return s.serviceError(fmt.Errorf("%s: what is done: %w", s.Cmd, err))
	}
	write := func(sink report.Sink) error {
		if err := sink.Preview(plans, sel.Keep); err != nil {
			return err
		}
		return sink.Flush()
	}
	sink, err := report.New(s.Out.Format, s.IO.Stdout, append(s.IO.TableOptions(&s.Out), report.WithKnown(known))...)
	if err != nil {
		return err
	}
	if err := write(sink); err != nil {
		return err
	}
	if err := AppendStepSummary(ctx, s.IO.Getenv("GITHUB_STEP_SUMMARY"), write, report.WithKnown(known)); err != nil {
		return err
	}
	if !o.DetailedExit {
		return nil
	}
	if send, err := known.WouldSend(plans, sel.Keep); err != nil || !send {
		return err
	}
	return Pending
}
