package executor

import (
	"context"
	"fmt"
	"time"

	"github.com/planrun/planrun/ciapi"
)

// sweep lists every job of type typ in a bucket created at or after since (zero: no bound),
// oldest first, 100 per page, following NextToken, and calls fn for each job. It never
// uses the list's name filter, whose semantics (exact or prefix) are unconfirmed.
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
		opts.StartCreationTime = since.UTC().Format(ciapi.TimeFormat)
	}
	if !until.IsZero() {
		opts.EndCreationTime = until.UTC().Format(ciapi.TimeFormat)
	}
	for {
		var page *ciapi.ListResponse
		err := e.read(ctx, func(ctx context.Context) error {
			var err error
			page, err = e.api.List(ctx, bucket, region, opts)
			return err
		})
		if err != nil {
			return fmt.Errorf("list %s jobs in %s: %w", typ, bucket, err)
		}
		for i := range page.JobsDetail {
			if err := fn(&page.JobsDetail[i]); err != nil {
				return err
			}
		}
		if page.NextToken == "" || page.NextToken == opts.NextToken || len(page.JobsDetail) == 0 {
			return nil
		}
		opts.NextToken = page.NextToken
	}
}

// parseServiceTime reads a service time (ciapi.TimeFormat); ok is false for "-" or garbage.
func parseServiceTime(s string) (time.Time, bool) {
	t, err := time.Parse(ciapi.TimeFormat, s)
	return t, err == nil
}
