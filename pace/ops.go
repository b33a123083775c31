package pace

import (
	"context"

	"github.com/planrun/planrun/ciapi"
)

// This file holds one method per Service operation: each says whether its calls are
// retried (every operation but Create) and forwards to the wrapped Service.

// Create sends one create, once: whether to send it again is the caller's decision (an
// uncertain create may have made its batch job, see ciapi.IsUncertain). It waits for its
// slot and the pacer on ctx, but once sent it runs on a context that ctx's end does not
// cancel, bounded by the timeout: a create in flight finishes, so that its answer is
// known. A create stopped before it was sent fails with an error matching ErrNotSent.
func (l *Layer) Create(ctx context.Context, bucket, region string, req *ciapi.CreateRequest) (*ciapi.CreateResponse, error) {
	return once(l, ctx, context.WithoutCancel(ctx), func(ctx context.Context) (*ciapi.CreateResponse, error) {
		return l.svc.Create(ctx, bucket, region, req)
	})
}

// Describe describes one batch job, with retries.
func (l *Layer) Describe(ctx context.Context, bucket, region, id string) (*ciapi.DescribeResponse, error) {
	return retry(l, ctx, "describe", func(ctx context.Context) (*ciapi.DescribeResponse, error) {
		return l.svc.Describe(ctx, bucket, region, id)
	})
}

// List reads one page of batch jobs, with retries.
func (l *Layer) List(ctx context.Context, bucket, region string, opts ciapi.ListOptions) (*ciapi.ListResponse, error) {
	return retry(l, ctx, "list", func(ctx context.Context) (*ciapi.ListResponse, error) {
		return l.svc.List(ctx, bucket, region, opts)
	})
}

// Cancel cancels one batch job, with retries (cancelling twice is harmless).
func (l *Layer) Cancel(ctx context.Context, bucket, region, id string) error {
	_, err := retry(l, ctx, "cancel", func(ctx context.Context) (struct{}, error) {
		return struct{}{}, l.svc.Cancel(ctx, bucket, region, id)
	})
	return err
}

// ListExecutions reads one page of workflow executions, with retries.
func (l *Layer) ListExecutions(ctx context.Context, bucket, region string, opt ciapi.ExecutionListOptions) (*ciapi.ExecutionListResponse, error) {
	return retry(l, ctx, "list executions", func(ctx context.Context) (*ciapi.ExecutionListResponse, error) {
		return l.svc.ListExecutions(ctx, bucket, region, opt)
	})
}

// DescribeExecution describes one workflow execution, with retries.
func (l *Layer) DescribeExecution(ctx context.Context, bucket, region, runID string) (*ciapi.WorkflowExecution, error) {
	return retry(l, ctx, "describe execution", func(ctx context.Context) (*ciapi.WorkflowExecution, error) {
		return l.svc.DescribeExecution(ctx, bucket, region, runID)
	})
}

// ListMediaJobs reads one page of node jobs, with retries.
func (l *Layer) ListMediaJobs(ctx context.Context, bucket, region string, opt ciapi.MediaJobListOptions) (*ciapi.MediaJobListResponse, error) {
	return retry(l, ctx, "list node jobs", func(ctx context.Context) (*ciapi.MediaJobListResponse, error) {
		return l.svc.ListMediaJobs(ctx, bucket, region, opt)
	})
}

// PutObject stores one object, with retries (a PUT of the same body is idempotent).
func (l *Layer) PutObject(ctx context.Context, bucket, region, key string, body []byte) error {
	_, err := retry(l, ctx, "put object", func(ctx context.Context) (struct{}, error) {
		return struct{}{}, l.svc.PutObject(ctx, bucket, region, key, body)
	})
	return err
}
