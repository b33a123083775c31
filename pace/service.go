package pace

import (
	"context"

	"github.com/planrun/planrun/ciapi"
)

// Service is every operation planrun calls on the service. Each method is one call, sent
// once by the client; Layer adds the slots, the rate, the timeout and the retries.
// *ciapi.Client satisfies it, and so does *Layer.
type Service interface {
	// Create sends one create of a batch job. An uncertain failure (see
	// ciapi.IsUncertain) may still have made the batch job.
	Create(ctx context.Context, bucket, region string, req *ciapi.CreateRequest) (*ciapi.CreateResponse, error)
	// Describe returns one batch job; an unknown id gives an error matching
	// ciapi.ErrNotFound.
	Describe(ctx context.Context, bucket, region, id string) (*ciapi.DescribeResponse, error)
	// List returns one page of batch jobs.
	List(ctx context.Context, bucket, region string, opts ciapi.ListOptions) (*ciapi.ListResponse, error)
	// Cancel cancels one batch job.
	Cancel(ctx context.Context, bucket, region, id string) error
	// ListExecutions returns one page of the workflow executions of a batch job.
	ListExecutions(ctx context.Context, bucket, region string, opt ciapi.ExecutionListOptions) (*ciapi.ExecutionListResponse, error)
	// DescribeExecution returns one workflow execution with its tasks.
	DescribeExecution(ctx context.Context, bucket, region, runID string) (*ciapi.WorkflowExecution, error)
	// ListMediaJobs returns one page of the node jobs of a tag.
	ListMediaJobs(ctx context.Context, bucket, region string, opt ciapi.MediaJobListOptions) (*ciapi.MediaJobListResponse, error)
	// PutObject stores body as the COS object key of bucket (a COS PUT Object), replacing
	// any object of that key.
	PutObject(ctx context.Context, bucket, region, key string, body []byte) error
}

// Compile-time checks: the real client is a Service, and so is the layer (so that a new
// operation cannot be added to one and forgotten in the other).
var (
	_ Service = (*ciapi.Client)(nil)
	_ Service = (*Layer)(nil)
)
