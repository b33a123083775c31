package session

import (
	"context"
	"fmt"

	"github.com/planrun/planrun/executor/follow"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/report"
	"github.com/planrun/planrun/state"
)

// StatusOptions are the flags of status beside the groups.
type StatusOptions struct {
	Grid, Refresh bool
}

// Status is planrun status: what the state holds, for the plans under paths (all plans
// when none), as a table, JSON Lines or the grid; with Refresh, the state of unfinished
// jobs is asked from the service first, paced by the rate group.
func (s *Session) Status(ctx context.Context, paths []string, o StatusOptions) error {
	format := s.Out.Format
	grid := o.Grid || format == "html" || format == "markdown"
	switch {
	case o.Grid && format != "text":
		return s.Usagef("--grid draws in the terminal; it does not go with --format %s", format)
	case o.Refresh && len(paths) == 0:
		return s.Usagef("--refresh needs the PLAN files whose jobs to refresh")
	case (s.Narrowed() || s.Select.Shard != "") && len(paths) == 0:
		return s.Usagef("%s needs the PLAN files whose jobs to show", s.describeAll())
	case (s.Narrowed() || s.Select.Shard != "") && grid:
		return s.Usagef("the grid shows whole plans; it does not go with %s", s.describeAll())
	}
	var plans []*plan.Plan
	sel := &Selector{}
	if len(paths) > 0 {
		var err error
		if plans, sel, err = s.LoadSelected(paths, "text"); err != nil {
			return err
		}
	}
	if !FileExists(s.Service.StatePath()) {
		return s.Usagef("no state file at %s (run a plan first, or pass --state)", s.Service.StatePath())
	}
	access := Existing
	if o.Refresh {
		access = Writable
	}
	store, err := s.OpenState(ctx, access, o.Refresh)
	if err != nil {
		return err
	}
	defer s.closeState(store)
	if o.Refresh {
		api, closeAPI, err := s.Client()
		if err != nil {
			return err
		}
		defer closeAPI()
		if _, err := follow.Refresh(ctx, api, store, plans, s.Options(nil, sel.Filter())); err != nil {
			return s.serviceError(fmt.Errorf("status: %w", err))
		}
	}
	names := plan.Names(plans)
	if grid {
		err = WriteStateGrid(ctx, s.IO.Stdout, format, store, names, s.IO.GridWidth(), s.IO.Color())
	} else {
		opts := s.IO.TableOptions(&s.Out)
		if len(plans) > 0 {
			opts = append(opts, report.WithInPlan(plan.NewNameSet(plans...).Has))
		}
		keep := func(r *state.Record) bool { return sel.Match(&r.Key) }
		err = WriteStatus(ctx, s.IO.Stdout, format, store, names, keep, opts...)
	}
	if err != nil {
		return fmt.Errorf("status: %w", err)
	}
	return AppendStepSummaryStateGrid(ctx, s.IO.Getenv("GITHUB_STEP_SUMMARY"), store, names, nil)
}

// describeAll renders the selection flags given, --shard included, for messages.
func (s *Session) describeAll() string {
	d := s.DescribeSelection()
	if s.Select.Shard != "" {
		if d != "" {
			d += " "
		}
		d += "--shard " + s.Select.Shard
	}
	return d
}
