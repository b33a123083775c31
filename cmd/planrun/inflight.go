package main

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/executor"
)

// countingAPI counts the API calls on the wire: the executor calls the API only once a
// --parallel slot and the rate limiter let it, so the progress line's "in flight" counts
// requests actually sent, not those waiting for their turn.
type countingAPI struct {
	executor.API
	n atomic.Int64
}

func (c *countingAPI) inFlight() int { return int(c.n.Load()) }

func (c *countingAPI) enter() func() {
	c.n.Add(1)
	return func() { c.n.Add(-1) }
}

func (c *countingAPI) Create(ctx context.Context, bucket, region string, req *ciapi.CreateRequest) (*ciapi.CreateResponse, error) {
	defer c.enter()()
	return c.API.Create(ctx, bucket, region, req)
}

func (c *countingAPI) Describe(ctx context.Context, bucket, region, id string) (*ciapi.DescribeResponse, error) {
	defer c.enter()()
	return c.API.Describe(ctx, bucket, region, id)
}

func (c *countingAPI) List(ctx context.Context, bucket, region string, opts ciapi.ListOptions) (*ciapi.ListResponse, error) {
	defer c.enter()()
	return c.API.List(ctx, bucket, region, opts)
}

// ServiceClockOffset forwards the service's clock offset the wrapped API measured, so the
// executor's sweep bounds still come from the service's clock through this wrapper.
func (c *countingAPI) ServiceClockOffset() (time.Duration, bool) {
	if sc, ok := c.API.(interface{ ServiceClockOffset() (time.Duration, bool) }); ok {
		return sc.ServiceClockOffset()
	}
	return 0, false
}
