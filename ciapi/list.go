package ciapi

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// MaxListSize is the largest page the service returns; larger sizes are clamped.
const MaxListSize = 100

// List returns one page of jobs (GET /inventorytriggerjob?...), with every JobsDetail of
// the page. Empty options are not sent; Size above MaxListSize is clamped. Retryable
// failures are retried.
func (c *Client) List(ctx context.Context, bucket, region string, opt ListOptions) (*ListResponse, error) {
	const op = "list"
	resp, err := c.do(ctx, call{op: op, method: http.MethodGet, bucket: bucket, region: region,
		path: jobPath, query: opt.query(), idempotent: true})
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

// errStop ends ListAll early without an error.
var errStop = errors.New("stop listing")

// maxEmptyPages bounds how many pages in a row without a job ListAll follows: a service
// that filters after paginating may answer empty pages that still carry a NextToken, but
// an endless run of fresh tokens with nothing behind them is a loop.
const maxEmptyPages = 1000

// ListAll calls fn for every job of every page, following NextToken from opt.NextToken
// until a page has no NextToken or repeats a token already followed (a guard against
// loops). Empty pages that carry a token are followed (a service may filter after
// paginating), up to maxEmptyPages in a row. An error from fn stops the listing and is
// returned as is.
func (c *Client) ListAll(ctx context.Context, bucket, region string, opt ListOptions, fn func(*JobDetail) error) error {
	seen := map[string]bool{}
	empty := 0
	for {
		page, err := c.List(ctx, bucket, region, opt)
		if err != nil {
			return err
		}
		for i := range page.JobsDetail {
			if err := fn(&page.JobsDetail[i]); err != nil {
				return err
			}
		}
		if len(page.JobsDetail) == 0 {
			empty++
		} else {
			empty = 0
		}
		next := page.NextToken
		if next == "" || next == opt.NextToken || seen[next] || empty >= maxEmptyPages {
			return nil
		}
		seen[next] = true
		opt.NextToken = next
	}
}

// FindByName returns the job of type typ (empty: any type the service lists by default)
// whose Name is exactly name, listing with the name filter (which the service may apply as
// an exact or a prefix match) in every state and following all pages. It returns an error
// matching ErrNotFound when there is none.
func (c *Client) FindByName(ctx context.Context, bucket, region, typ, name string) (*JobDetail, error) {
	if name == "" {
		return nil, &APIError{Op: "list", Err: errors.New("empty job name")}
	}
	var found *JobDetail
	err := c.ListAll(ctx, bucket, region, ListOptions{Name: name, Type: typ, States: "All", Size: MaxListSize},
		func(j *JobDetail) error {
			if j.Name == name {
				cp := *j
				found = &cp
				return errStop
			}
			return nil
		})
	if err != nil && !errors.Is(err, errStop) {
		return nil, fmt.Errorf("find job %q: %w", name, err)
	}
	if found == nil {
		return nil, fmt.Errorf("find job %q: %w", name, ErrNotFound)
	}
	return found, nil
}

// query renders the options as the list query, keys sorted, values percent-encoded so
// that every decoder agrees ("+0800" is sent as "%2B0800", a space as "%20").
func (o ListOptions) query() string {
	size := ""
	if o.Size > 0 {
		size = strconv.Itoa(min(o.Size, MaxListSize))
	}
	kv := map[string]string{
		"nextToken": o.NextToken, "size": size, "type": o.Type, "orderByTime": o.OrderByTime,
		"states": o.States, "startCreationTime": o.StartCreationTime, "endCreationTime": o.EndCreationTime,
		"workflowId": o.WorkflowId, "jobId": o.JobId, "name": o.Name,
	}
	keys := make([]string, 0, len(kv))
	for k, v := range kv {
		if v != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + Encode(kv[k])
	}
	return strings.Join(parts, "&")
}
