package executor

import (
	"context"
	"fmt"
	"time"

	"github.com/planrun/planrun/ciapi"
)

// sweep lists every job of type typ in a bucket created at or after since (zero: no bound),
// oldest first, 100 per page, following every page (see Pages: a loop or the page cap is
// an error matching pace.ErrPaging), and calls fn for each job; fn may return pace.StopPages. It
// never uses the list's name filter, whose semantics (exact or prefix) are unconfirmed.
func (e *engine) sweep(ctx context.Context, bucket, region, typ string, since time.Time,
	fn func(*ciapi.JobDetail) error) error {
	return e.sweepRange(ctx, bucket, region, typ, since, time.Time{}, false, fn)
}

// sweepRange is sweep over the jobs created in [since, until] (a zero bound is no bound;
// the service compares whole seconds, both ends inclusive), newest first when newestFirst
// is set.
func (e *engine) sweepRange(ctx context.Context, bucket, region, typ string, since, until time.Time,
	newestFirst bool, fn func(*ciapi.JobDetail) error) error {
	opts := ciapi.ListOptions{Size: sweepPageSize, Type: typ, OrderByTime: "Asc", States: "All"}
	if newestFirst {
		opts.OrderByTime = "Desc"
	}
	if !since.IsZero() {
		opts.StartCreationTime = since.In(serviceZone).Format(ciapi.TimeFormat)
	}
	if !until.IsZero() {
		opts.EndCreationTime = until.In(serviceZone).Format(ciapi.TimeFormat)
	}
	if err := e.listJobs(ctx, bucket, region, opts, fn); err != nil {
		return fmt.Errorf("list %s jobs in %s: %w", typ, bucket, err)
	}
	return nil
}

// serviceZone is the zone the service writes its times in (+0800). Sweep bounds are sent
// in it: right whether the service honours the offset of a bound or reads every time as
// its own local time (undocumented).
var serviceZone = time.FixedZone("UTC+8", 8*3600)

// parseServiceTime reads a service time: ciapi.TimeFormat (+0800), or RFC 3339 (+08:00, Z)
// from a service that writes that; ok is false for "-" or garbage.
func parseServiceTime(s string) (time.Time, bool) {
	t, err := time.Parse(ciapi.TimeFormat, s)
	if err != nil {
		t, err = time.Parse(time.RFC3339, s)
	}
	return t, err == nil
}
