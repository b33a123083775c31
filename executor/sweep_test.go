package executor

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/pace"
	"github.com/planrun/planrun/plan"
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
// paginating); a token it has already followed is a loop: an error, never a complete list.
func TestSweepFollowsEmptyPagesAndFailsOnLoops(t *testing.T) {
	for _, tt := range []struct {
		name  string
		pages map[string][2]string
		want  string
		calls int
		loop  bool
	}{
		{"empty page leads on", map[string][2]string{"": {"a", "t1"}, "t1": {"", "t2"}, "t2": {"b", ""}}, "a b", 3, false},
		{"token loop", map[string][2]string{"": {"a", "t1"}, "t1": {"b", "t2"}, "t2": {"c", "t1"}}, "a b c", 3, true},
		{"restart token", map[string][2]string{"": {"a", "0"}, "0": {"b", "0"}}, "a b", 2, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			api := &pagedAPI{pages: tt.pages}
			e := newEngine(api, nil, Options{})
			var got []string
			err := e.sweep(context.Background(), "b-1", "ap-beijing", ciapi.TypeWorkflow, time.Time{}, func(d *ciapi.JobDetail) error {
				got = append(got, d.Name)
				return nil
			})
			if errors.Is(err, pace.ErrPaging) != tt.loop || strings.Join(got, " ") != tt.want || api.calls != tt.calls {
				t.Errorf("got %v, %v after %d calls; want %q after %d, loop error %v", got, err, api.calls, tt.want, tt.calls, tt.loop)
			}
		})
	}
}

// endlessAPI answers every list with one job and a fresh token, or with no job at all.
type endlessAPI struct {
	API
	empty bool
	calls int
}

func (p *endlessAPI) List(_ context.Context, _, _ string, opts ciapi.ListOptions) (*ciapi.ListResponse, error) {
	p.calls++
	out := &ciapi.ListResponse{NextToken: fmt.Sprintf("t%d", p.calls)}
	if !p.empty {
		out.JobsDetail = []ciapi.JobDetail{{Name: out.NextToken, JobId: "b" + out.NextToken}}
	}
	return out, nil
}

// sameJobAPI answers every list with the same job and a fresh token.
type sameJobAPI struct {
	API
	calls int
}

func (p *sameJobAPI) List(context.Context, string, string, ciapi.ListOptions) (*ciapi.ListResponse, error) {
	p.calls++
	return &ciapi.ListResponse{NextToken: fmt.Sprintf("t%d", p.calls), JobsDetail: []ciapi.JobDetail{{Name: "a", JobId: "ja"}}}, nil
}

// Fresh tokens over the same page again are a loop, caught at the second page.
func TestSweepStopsOnARepeatedPage(t *testing.T) {
	api := &sameJobAPI{}
	err := newEngine(api, nil, Options{}).sweep(context.Background(), "b-1", "ap-beijing", ciapi.TypeWorkflow, time.Time{},
		func(*ciapi.JobDetail) error { return nil })
	if !errors.Is(err, pace.ErrPaging) || api.calls != 2 {
		t.Errorf("%v after %d calls, want pace.ErrPaging after 2", err, api.calls)
	}
}

// Pages that never end, full or empty, end at the page cap with an error.
func TestSweepStopsAtThePageCap(t *testing.T) {
	for _, empty := range []bool{false, true} {
		api := &endlessAPI{empty: empty}
		e := newEngine(api, nil, Options{MaxPages: 1500})
		err := e.sweep(context.Background(), "b-1", "ap-beijing", ciapi.TypeWorkflow, time.Time{}, func(*ciapi.JobDetail) error { return nil })
		if !errors.Is(err, pace.ErrPaging) || api.calls != 1500 {
			t.Errorf("empty %v: %v after %d calls, want pace.ErrPaging after 1500", empty, err, api.calls)
		}
	}
}

// pace.StopPages ends a listing early, without error.
func TestPagesStopEarly(t *testing.T) {
	calls := 0
	err := pace.Pages(context.Background(), 0, func(_ context.Context, token string) (int, string, error) {
		calls++
		return calls, fmt.Sprint("t", calls), nil
	}, func(page int) error {
		if page == 3 {
			return pace.StopPages
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Errorf("%v after %d pages", err, calls)
	}
}

// A list whose token loops is a failed reconciliation: nothing is sent on its strength,
// whether the run sweeps or looks names up, and the error says why.
func TestLoopingPagesSendNothing(t *testing.T) {
	for _, lookup := range []int{0, -1} {
		cs, client := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/xml")
			_, _ = w.Write([]byte("<Response><RequestId>r</RequestId><JobsDetail><Name>other</Name><JobId>j1</JobId></JobsDetail>" +
				"<NextToken>again</NextToken></Response>"))
		})
		opts := quick()
		opts.LookupThreshold = lookup
		sum, err := Run(background(t), client, openStore(t, ""), []*plan.Plan{onePlan(t)}, opts)
		if !errors.Is(err, pace.ErrPaging) || sum.Total.Triggered != 0 {
			t.Errorf("lookup threshold %d: %+v, %v; want a paging error", lookup, sum.Total, err)
		}
		if n := cs.count(http.MethodPost); n != 0 {
			t.Errorf("lookup threshold %d: %d creates sent after a looping list", lookup, n)
		}
	}
}

// A name lookup answered with jobs of other names is a service that ignores the name
// filter (its two readings, exact and prefix match, never list another name): following
// its pages would walk the whole bucket, endlessly with a hostile server. The lookup fails
// at the first such page, and nothing is sent.
func TestLookupAnsweredWithOtherNamesFailsAtOnce(t *testing.T) {
	var mu sync.Mutex
	page := 0
	cs, client := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		page++
		p := page
		mu.Unlock()
		w.Header().Set("Content-Type", "application/xml")
		_, _ = fmt.Fprintf(w, "<Response><RequestId>r</RequestId><JobsDetail><Name>other-%d</Name><JobId>j%d</JobId></JobsDetail>"+
			"<NextToken>t%d</NextToken></Response>", p, p, p)
	})
	opts := quick()
	opts.MaxPages = 50
	sum, err := Run(background(t), client, openStore(t, ""), []*plan.Plan{onePlan(t)}, opts)
	if !errors.Is(err, pace.ErrPaging) || sum.Total.Triggered != 0 {
		t.Errorf("%+v, %v; want a paging error", sum.Total, err)
	}
	if n := cs.count(http.MethodPost); n != 0 {
		t.Errorf("%d creates sent after a lookup the service did not filter", n)
	}
	// One page for the probe of the jobs made within the settle window (it stops at a job
	// whose age it cannot read), one for the lookup.
	if n := cs.count(http.MethodGet); n > 2 {
		t.Errorf("%d list pages followed, want the lookup to stop at the first page of other names", n)
	}
}
