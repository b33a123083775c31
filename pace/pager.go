package pace

import (
	"context"
	"errors"
	"fmt"
)

// DefaultMaxPages is the most pages one listing follows when Options.MaxPages is zero: at
// the service's 100 jobs a page, ten million jobs.
const DefaultMaxPages = 100_000

// ErrPaging is matched (errors.Is) by the error of a listing whose pages did not end: a
// next-page token it had already followed (the pages loop), or more pages than the cap.
// A reconciliation that ends so is failed: nothing may be sent on the strength of it.
var ErrPaging = errors.New("the list pages did not end")

// StopPages, returned by the each function of Pages, ends the listing early without error.
var StopPages = errors.New("stop paging")

// Pages follows a paginated list. fetch returns the page at token ("" for the first page)
// and the token of the next page ("" on the last page). each is called with every page in
// order; an error from it ends the listing and is returned, except StopPages, which ends
// it with nil.
//
// Pages holds the loop guard of every list planrun reads: a next token that was already
// followed, or a page beyond maxPages (<= 0: DefaultMaxPages), ends the listing with an
// error matching ErrPaging. Pages with no item that carry a token are followed: a service
// that filters after paginating answers them. Pages itself never retries: fetch
// calls through the layer (pace.Layer), which holds the call slot, the rate limit and the
// timeout, and retries, e.g. for a list of jobs:
//
//	err := Pages(ctx, e.o.MaxPages, func(ctx context.Context, token string) (*ciapi.ListResponse, string, error) {
//		opts.NextToken = token
//		page, err := e.api.List(ctx, b, r, opts)
//		if err != nil {
//			return nil, "", err
//		}
//		return page, page.NextToken, nil
//	}, func(page *ciapi.ListResponse) error { ...; return nil })
//
// The per-object lists (executions of a batch job, media jobs) page the same way.
func Pages[P any](ctx context.Context, maxPages int, fetch func(ctx context.Context, token string) (page P, next string, err error),
	each func(page P) error) error {
	if maxPages <= 0 {
		maxPages = DefaultMaxPages
	}
	seen := map[string]struct{}{}
	token := ""
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		page, next, err := fetch(ctx, token)
		if err != nil {
			return err
		}
		if err := each(page); err != nil {
			if errors.Is(err, StopPages) {
				return nil
			}
			return err
		}
		if next == "" {
			return nil
		}
		if _, dup := seen[next]; dup || next == token {
			return fmt.Errorf("%w: page %d leads back to a token already followed", ErrPaging, n)
		}
		if n >= maxPages {
			return fmt.Errorf("%w: still more after %d pages (the cap)", ErrPaging, maxPages)
		}
		seen[next] = struct{}{}
		token = next
	}
}
