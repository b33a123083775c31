package executor

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/pace"
)

// listJobs calls fn for every job of every page of the list with opts (NextToken aside),
// each page one call through the layer (retried there), under the loop guard of Pages. fn may return
// pace.StopPages to end early.
//
// Besides the guard of Pages, a page that holds exactly the jobs of the page before it
// (first and last id, and count) is a loop behind fresh tokens: pace.ErrPaging, at once rather
// than at the page cap.
func (e *engine) listJobs(ctx context.Context, bucket, region string, opts ciapi.ListOptions, fn func(*ciapi.JobDetail) error) error {
	var prev [2]string
	prevN, n := 0, 0
	return pace.Pages(ctx, e.o.MaxPages, func(ctx context.Context, token string) (*ciapi.ListResponse, string, error) {
		opts.NextToken = token
		page, err := e.api.List(ctx, bucket, region, opts)
		if err != nil {
			return nil, "", err
		}
		if page == nil {
			return nil, "", errors.New("list answered no page")
		}
		return page, strings.TrimSpace(page.NextToken), nil
	}, func(page *ciapi.ListResponse) error {
		n++
		if k := len(page.JobsDetail); k > 0 {
			ids := [2]string{page.JobsDetail[0].JobId, page.JobsDetail[k-1].JobId}
			if k == prevN && ids == prev && ids[0] != "" {
				return fmt.Errorf("%w: page %d repeats the jobs of the page before it", pace.ErrPaging, n)
			}
			prev, prevN = ids, k
		}
		for i := range page.JobsDetail {
			if err := fn(&page.JobsDetail[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// findByName returns the job of type typ (empty: the service's default type) whose Name is
// exactly name, listing with the name filter (which the service may apply as an exact or
// a prefix match) in every state and following every page. The error matches
// ciapi.ErrNotFound when there is none, pace.ErrPaging when the pages did not end or list a
// job whose Name does not hold name (the filter was not applied).
func (e *engine) findByName(ctx context.Context, bucket, region, typ, name string) (*ciapi.JobDetail, error) {
	if name == "" {
		return nil, errors.New("find job: empty name")
	}
	var found *ciapi.JobDetail
	err := e.listJobs(ctx, bucket, region, ciapi.ListOptions{Name: name, Type: typ, States: "All", Size: ciapi.MaxListSize},
		func(j *ciapi.JobDetail) error {
			if j.Name == name {
				cp := *j
				found = &cp
				return pace.StopPages
			}
			if j.Name != "" && !strings.Contains(strings.ToLower(j.Name), strings.ToLower(name)) {
				// Neither reading of the filter (exact, prefix) lists another name: the
				// service ignored it, and its pages would walk the whole bucket.
				return fmt.Errorf("%w: a lookup by name listed the job %q: the service does not filter the list by name", pace.ErrPaging, j.Name)
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("find job %q: %w", name, err)
	}
	if found == nil {
		return nil, fmt.Errorf("find job %q: %w", name, ciapi.ErrNotFound)
	}
	return found, nil
}
