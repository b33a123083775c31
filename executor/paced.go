package executor

import (
	"context"
	"time"

	"golang.org/x/time/rate"

	"github.com/planrun/planrun/ciapi"
)

// newPace returns what the calls of a run wait on and the API they go through. With a
// fixed --qps it is the fixed limiter and api itself. With --qps auto it is the limiter an
// Adaptive pace steers, and api wrapped so that every call's start and answer reach the
// pace; rate reports the current allowance (nil for a fixed rate).
func newPace(o Options, api API) (lim *rate.Limiter, paced API, rateFn func() float64) {
	if !o.QPSAuto {
		return newLimiter(o.QPS, o.Parallel), api, nil
	}
	a := NewAdaptive(AdaptiveConfig{Ceiling: o.QPS})
	return a.lim, &pacedAPI{api: api, pace: a}, a.Rate
}

// pacedAPI reports every call of api to an Adaptive pace: its start (the send rate) and
// its answer (throttled or not).
type pacedAPI struct {
	api  API
	pace *Adaptive
}

// call runs one call between the pace's start and answer hooks.
func call[T any](p *pacedAPI, fn func() (T, error)) (T, error) {
	start := p.pace.begin()
	v, err := fn()
	p.pace.Observe(start, err)
	return v, err
}

func (p *pacedAPI) Create(ctx context.Context, bucket, region string, req *ciapi.CreateRequest) (*ciapi.CreateResponse, error) {
	return call(p, func() (*ciapi.CreateResponse, error) { return p.api.Create(ctx, bucket, region, req) })
}

func (p *pacedAPI) Describe(ctx context.Context, bucket, region, id string) (*ciapi.DescribeResponse, error) {
	return call(p, func() (*ciapi.DescribeResponse, error) { return p.api.Describe(ctx, bucket, region, id) })
}

func (p *pacedAPI) List(ctx context.Context, bucket, region string, opts ciapi.ListOptions) (*ciapi.ListResponse, error) {
	return call(p, func() (*ciapi.ListResponse, error) { return p.api.List(ctx, bucket, region, opts) })
}

func (p *pacedAPI) Cancel(ctx context.Context, bucket, region, id string) error {
	_, err := call(p, func() (struct{}, error) { return struct{}{}, p.api.Cancel(ctx, bucket, region, id) })
	return err
}

// ServiceClockOffset forwards the service's clock offset the wrapped API measured (see
// serviceTime), so that --qps auto keeps sweep bounds on the service's clock.
func (p *pacedAPI) ServiceClockOffset() (time.Duration, bool) {
	if sc, ok := p.api.(serviceClock); ok {
		return sc.ServiceClockOffset()
	}
	return 0, true
}
