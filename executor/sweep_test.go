package executor

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
)

// pagedAPI answers List from fixed pages keyed by NextToken; other calls are unused.
type pagedAPI struct {
	API
	pages map[string][2]string // token -> names (space separated), next token
	calls int
}

func (p *pagedAPI) List(_ context.Context, _, _ string, opts ciapi.ListOptions) (*ciapi.ListResponse, error) {
	p.calls++
	pg := p.pages[opts.NextToken]
	out := &ciapi.ListResponse{NextToken: pg[1]}
	for _, n := range strings.Fields(pg[0]) {
		out.JobsDetail = append(out.JobsDetail, ciapi.JobDetail{Name: n, JobId: "b" + n})
	}
	return out, nil
}

// A sweep follows empty pages that still carry a token (a service that filters after
// paginating) and stops on a token it has already followed.
func TestSweepFollowsEmptyPagesAndStopsOnLoops(t *testing.T) {
	for _, tt := range []struct {
		name  string
		pages map[string][2]string
		want  string
		calls int
	}{
		{"empty page leads on", map[string][2]string{"": {"a", "t1"}, "t1": {"", "t2"}, "t2": {"b", ""}}, "a b", 3},
		{"token loop", map[string][2]string{"": {"a", "t1"}, "t1": {"b", "t2"}, "t2": {"c", "t1"}}, "a b c", 3},
		{"restart token", map[string][2]string{"": {"a", "0"}, "0": {"b", "0"}}, "a b", 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			api := &pagedAPI{pages: tt.pages}
			e := newEngine(api, nil, Options{})
			var got []string
			err := e.sweep(context.Background(), "b-1", "ap-beijing", ciapi.TypeWorkflow, time.Time{}, func(d *ciapi.JobDetail) error {
				got = append(got, d.Name)
				return nil
			})
			if err != nil || strings.Join(got, " ") != tt.want || api.calls != tt.calls {
				t.Errorf("got %v, %v after %d calls; want %q after %d", got, err, api.calls, tt.want, tt.calls)
			}
		})
	}
}
