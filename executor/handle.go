package executor

import (
	"context"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/state"
)

// This file is the rest of the handle package follow (Wait, Refresh, Cancel: following
// batch jobs to their end and cancelling them) builds its engine on, beside Engine's API,
// Options and FindByName.

const (
	// SweepPageSize is the list page size used by every sweep (the service maximum).
	SweepPageSize = sweepPageSize
	// SweepSlack widens a time-bounded sweep, for clock skew between us and the service.
	SweepSlack = sweepSlack
)

// Store is the engine's state; nil when it has none.
func (x *Engine) Store() *state.Store { return x.e.store }

// SweepRange lists every job of type typ in a bucket created in [since, until] (a zero
// bound is no bound), oldest first (newest first when newestFirst is set), following every
// page, and calls fn for each job (see the sweeps of Run).
func (x *Engine) SweepRange(ctx context.Context, bucket, region, typ string, since, until time.Time,
	newestFirst bool, fn func(*ciapi.JobDetail) error) error {
	return x.e.sweepRange(ctx, bucket, region, typ, since, until, newestFirst, fn)
}

// Pause waits d or until ctx ends.
func (x *Engine) Pause(ctx context.Context, d time.Duration) error { return x.e.pause(ctx, d) }

// CommonPrefix returns the longest common prefix of a and b.
func CommonPrefix(a, b string) string { return commonPrefix(a, b) }

// JobOfName returns the job of p whose Name prefix is the longest that name has, or "".
func JobOfName(p *plan.Plan, jobPrefixes []string, name string) string {
	return jobOfName(p, jobPrefixes, name)
}

// ParseServiceTime reads a service time: ciapi.TimeFormat (+0800), or RFC 3339; ok is
// false for "-" or garbage.
func ParseServiceTime(s string) (time.Time, bool) { return parseServiceTime(s) }
