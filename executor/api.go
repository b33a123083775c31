package executor

import (
	"context"

	"github.com/planrun/planrun/ciapi"
)

// API is the part of the CI batch-job API the executor uses; *ciapi.Client satisfies it.
type API interface {
	// Create sends one create, once (never retried inside).
	Create(ctx context.Context, bucket, region string, req *ciapi.CreateRequest) (*ciapi.CreateResponse, error)
	// Describe returns one job; an unknown id gives an error matching ciapi.ErrNotFound.
	Describe(ctx context.Context, bucket, region, id string) (*ciapi.DescribeResponse, error)
	// List returns one page of jobs.
	List(ctx context.Context, bucket, region string, opts ciapi.ListOptions) (*ciapi.ListResponse, error)
	// Cancel cancels one job.
	Cancel(ctx context.Context, bucket, region, id string) error
	// FindByName returns the job of type typ named name; ciapi.ErrNotFound when none.
	FindByName(ctx context.Context, bucket, region, typ, name string) (*ciapi.JobDetail, error)
}

// Compile-time check that the real client fits.
var _ API = (*ciapi.Client)(nil)
