package executor

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/planrun/planrun/ciapi"
)

// CallCounter is an API that counts the calls on the wire. The executor calls the API only
// once a --parallel slot and the rate limiter let it, so InFlight counts the calls actually
// sent and not yet answered, not those waiting for their turn (the progress line's "in
// flight").
type CallCounter struct {
	API
	n atomic.Int64
}

// CountCalls wraps api in a CallCounter.
func CountCalls(api API) *CallCounter { return &CallCounter{API: api} }

// InFlight returns how many calls are sent and not yet answered.
func (c *CallCounter) InFlight() int { return int(c.n.Load()) }

func (c *CallCounter) enter() func() {
	c.n.Add(1)
	return func() { c.n.Add(-1) }
}

// Create counts one create.
func (c *CallCounter) Create(ctx context.Context, bucket, region string, req *ciapi.CreateRequest) (*ciapi.CreateResponse, error) {
	defer c.enter()()
	return c.API.Create(ctx, bucket, region, req)
}

// Describe counts one describe.
func (c *CallCounter) Describe(ctx context.Context, bucket, region, id string) (*ciapi.DescribeResponse, error) {
	defer c.enter()()
	return c.API.Describe(ctx, bucket, region, id)
}

// List counts one list call.
func (c *CallCounter) List(ctx context.Context, bucket, region string, opts ciapi.ListOptions) (*ciapi.ListResponse, error) {
	defer c.enter()()
	return c.API.List(ctx, bucket, region, opts)
}

// ServiceClockOffset forwards the service's clock offset the wrapped API measured, so the
// sweep bounds still come from the service's clock through this wrapper.
func (c *CallCounter) ServiceClockOffset() (time.Duration, bool) {
	if sc, ok := c.API.(interface{ ServiceClockOffset() (time.Duration, bool) }); ok {
		return sc.ServiceClockOffset()
	}
	return 0, false
}
