package ciapi

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// MaxListSize is the largest page the service returns; larger sizes are clamped.
const MaxListSize = 100

// List returns one page of jobs (GET /inventorytriggerjob?...), with every JobsDetail of
// the page. Empty options are not sent; Size above MaxListSize is clamped. It is sent
// once; following the pages is the caller's (the executor's pager).
func (c *Client) List(ctx context.Context, bucket, region string, opt ListOptions) (*ListResponse, error) {
	const op = "list"
	resp, err := c.do(ctx, call{op: op, method: http.MethodGet, bucket: bucket, region: region,
		path: jobPath, query: opt.query()})
	if err != nil {
		return nil, err
	}
	var out ListResponse
	if err := xml.Unmarshal(resp.body, &out); err != nil {
		return nil, c.bodyError(op, resp, fmt.Errorf("decode response: %w", err))
	}
	out.NextToken = strings.TrimSpace(out.NextToken)
	return &out, nil
}

// query renders the options as the list query, keys sorted, values percent-encoded so
// that every decoder agrees ("+0800" is sent as "%2B0800", a space as "%20").
func (o ListOptions) query() string {
	size := sizeParam(o.Size)
	kv := map[string]string{
		"nextToken": o.NextToken, "size": size, "type": o.Type, "orderByTime": o.OrderByTime,
		"states": o.States, "startCreationTime": o.StartCreationTime, "endCreationTime": o.EndCreationTime,
		"workflowId": o.WorkflowId, "jobId": o.JobId, "name": o.Name,
	}
	return encodeQuery(kv)
}

// sizeParam is a list's size query value: empty for the service default, else n clamped to
// MaxListSize.
func sizeParam(n int) string {
	if n <= 0 {
		return ""
	}
	return strconv.Itoa(min(n, MaxListSize))
}
