package executor

import (
	"context"

	"github.com/planrun/planrun/ciapi"
)

// API is the part of the CI batch-job API the executor uses; *ciapi.Client satisfies it.
// Each method is one call, sent once: the executor wraps every call in its one layer of
// slots, rate limit, timeout and retries (see retry.go), and follows pages itself (Pages).
type API interface {
	// Create sends one create.
	Create(ctx context.Context, bucket, region string, req *ciapi.CreateRequest) (*ciapi.CreateResponse, error)
	// Describe returns one job; an unknown id gives an error matching ciapi.ErrNotFound.
	Describe(ctx context.Context, bucket, region, id string) (*ciapi.DescribeResponse, error)
	// List returns one page of jobs.
	List(ctx context.Context, bucket, region string, opts ciapi.ListOptions) (*ciapi.ListResponse, error)
	// Cancel cancels one job.
	Cancel(ctx context.Context, bucket, region, id string) error
}

// Compile-time check that the real client fits.
var _ API = (*ciapi.Client)(nil)
