package ciapi

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// jobPath is the path of the batch-job resource.
const jobPath = "/inventorytriggerjob"

// Create triggers a batch job (POST /inventorytriggerjob) with body xml.Marshal(req).
// It makes exactly one attempt (apart from one re-signed attempt after a clock-skew
// refusal): whether to retry is the caller's decision, since a failed create may still
// have created the job; see IsUncertain. A 2xx whose body is empty, cannot be decoded or
// names no job id does not show the job: its *APIError is uncertain (look the Name up
// before any resend), never a success. A 2xx whose body is an error (e.g.
// <Response><Code>SlowDown</Code>...) is that error.
func (c *Client) Create(ctx context.Context, bucket, region string, req *CreateRequest) (*CreateResponse, error) {
	const op = "create"
	if req == nil {
		return nil, &APIError{Op: op, Err: errors.New("nil request")}
	}
	body := req.XMLBody() // = xml.Marshal(req)
	resp, err := c.do(ctx, call{op: op, method: http.MethodPost, bucket: bucket, region: region,
		path: jobPath, body: body})
	if err != nil {
		return nil, err
	}
	var out CreateResponse
	if err := decodeCreate(resp.body, resp.root, &out); err != nil {
		return nil, c.bodyError(op, resp, fmt.Errorf("decode response: %w", err))
	}
	if out.JobsDetail == nil || strings.TrimSpace(out.JobsDetail.JobId) == "" {
		return nil, c.bodyError(op, resp, errors.New("response carries no job id"))
	}
	return &out, nil
}

// Describe returns one job (GET /inventorytriggerjob/<jobID>). A job the service does not
// know (a 404, or an answer without a JobsDetail that names a JobId, e.g. NonExistJobIds
// beside an empty JobsDetail) gives an error matching ErrNotFound.
// It is sent once; see IsRetryable.
func (c *Client) Describe(ctx context.Context, bucket, region, jobID string) (*DescribeResponse, error) {
	const op = "describe"
	if err := checkJobID(jobID); err != nil {
		return nil, &APIError{Op: op, Err: err}
	}
	resp, err := c.do(ctx, call{op: op, method: http.MethodGet, bucket: bucket, region: region,
		path: jobPath + "/" + jobID})
	if err != nil {
		return nil, err
	}
	var out DescribeResponse
	if err := xml.Unmarshal(resp.body, &out); err != nil {
		return nil, c.bodyError(op, resp, fmt.Errorf("decode response: %w", err))
	}
	if out.JobsDetail != nil && strings.TrimSpace(out.JobsDetail.JobId) == "" {
		out.JobsDetail = nil // an empty container (e.g. beside NonExistJobIds) is no job
	}
	if out.JobsDetail == nil {
		if id := requestID(out.RequestId, resp); id != "" {
			return nil, fmt.Errorf("describe %s: %w (RequestId: %s)", jobID, ErrNotFound, id)
		}
		return nil, fmt.Errorf("describe %s: %w", jobID, ErrNotFound)
	}
	return &out, nil
}

// Cancel cancels a job (PUT /inventorytriggerjob/<jobID>?cancel, no body, Content-Length
// 0). A 404 matches ErrNotFound. It is sent once; see IsRetryable.
func (c *Client) Cancel(ctx context.Context, bucket, region, jobID string) error {
	const op = "cancel"
	if err := checkJobID(jobID); err != nil {
		return &APIError{Op: op, Err: err}
	}
	_, err := c.do(ctx, call{op: op, method: http.MethodPut, bucket: bucket, region: region,
		path: jobPath + "/" + jobID, query: "cancel"})
	return err
}

// bodyError is the error of a 2xx answer whose body is unusable.
func (c *Client) bodyError(op string, resp *response, err error) error {
	return c.creds.redactError(&APIError{Op: op, Status: resp.status, RequestID: requestID("", resp), Err: err, Sent: true})
}

// requestID returns the body's RequestId, else the x-ci-request-id / x-cos-request-id header.
func requestID(fromBody string, resp *response) string {
	if fromBody != "" {
		return fromBody
	}
	if id := resp.header.Get("x-ci-request-id"); id != "" {
		return id
	}
	return resp.header.Get("x-cos-request-id")
}

// checkJobID refuses ids that would change the request path.
func checkJobID(id string) error {
	if id == "" {
		return errors.New("empty job id")
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("invalid job id %q", id)
		}
	}
	return nil
}
