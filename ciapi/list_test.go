package ciapi

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestListQueryAndEveryJob(t *testing.T) {
	f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
		xmlResponse(w, 200, "<Response><RequestId>r</RequestId>"+job("a", "b1")+job("b", "b2")+job("c", "b3")+"<NextToken>25</NextToken></Response>")
	})
	c, _ := newTestClient(t, f, nil)
	page, err := c.List(context.Background(), testBucket, testRegion, ListOptions{
		NextToken: "tok en", Size: 150, Type: TypeWorkflow, OrderByTime: "Asc", States: "Running,Failed",
		StartCreationTime: "2024-01-01T00:00:00+0800", EndCreationTime: "2024-02-01T00:00:00+0800",
		WorkflowId: "w1", JobId: "b9", Name: "批量 任务+1",
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.JobsDetail) != 3 || page.JobsDetail[0].JobId != "b1" || page.JobsDetail[2].Name != "c" || page.NextToken != "25" {
		t.Errorf("page = %+v", page)
	}
	s := f.last()
	if !strings.Contains(s.RawQuery, "startCreationTime=2024-01-01T00%3A00%3A00%2B0800") {
		t.Errorf("raw query %s: +0800 not sent as %%2B0800", s.RawQuery)
	}
	q, _ := url.ParseQuery(s.RawQuery)
	want := map[string]string{"nextToken": "tok en", "size": "100", "type": "Workflow", "orderByTime": "Asc",
		"states": "Running,Failed", "startCreationTime": "2024-01-01T00:00:00+0800",
		"endCreationTime": "2024-02-01T00:00:00+0800", "workflowId": "w1", "jobId": "b9", "name": "批量 任务+1"}
	if len(q) != len(want) {
		t.Errorf("query keys = %v", q)
	}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("query %s = %q, want %q", k, q.Get(k), v)
		}
	}
	if len(s.SignedParams) != len(want) {
		t.Errorf("signed params = %v", s.SignedParams)
	}
	if _, err := c.List(context.Background(), testBucket, testRegion, ListOptions{}); err != nil || f.last().RawQuery != "" {
		t.Errorf("empty options sent %q (%v)", f.last().RawQuery, err)
	}
}

// pagedCI serves pages keyed by nextToken: pages[token] = (names, next).
func pagedCI(t *testing.T, pages map[string][2]string) *fakeCI {
	return newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
		p, ok := pages[r.URL.Query().Get("nextToken")]
		if !ok {
			xmlResponse(w, 400, errorXML("InvalidArgument", "bad token"))
			return
		}
		var b strings.Builder
		b.WriteString("<Response><RequestId>r</RequestId>")
		for _, name := range strings.Fields(p[0]) {
			if name == r.URL.Query().Get("name") || strings.HasPrefix(name, r.URL.Query().Get("name")) {
				b.WriteString(job(name, "b"+strings.ReplaceAll(name, "-", "")))
			}
		}
		if p[1] != "" {
			b.WriteString("<NextToken>" + p[1] + "</NextToken>")
		}
		b.WriteString("</Response>")
		xmlResponse(w, 200, b.String())
	})
}

func TestListAllFollowsTokensAndStops(t *testing.T) {
	tests := []struct {
		name  string
		pages map[string][2]string
		want  string
		calls int
	}{
		{"three pages", map[string][2]string{"": {"a b", "t1"}, "t1": {"c", "t2"}, "t2": {"d", ""}}, "a b c d", 3},
		{"same token again", map[string][2]string{"": {"a", "t1"}, "t1": {"b", "t1"}}, "a b", 2},
		{"cycle", map[string][2]string{"": {"a", "t1"}, "t1": {"b", "t2"}, "t2": {"c", "t1"}}, "a b c", 3},
		// A service that filters after paginating answers empty pages that still lead on.
		{"empty page with token", map[string][2]string{"": {"a", "t1"}, "t1": {"", "t2"}, "t2": {"b", ""}}, "a b", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := pagedCI(t, tt.pages)
			c, _ := newTestClient(t, f, nil)
			var got []string
			err := c.ListAll(context.Background(), testBucket, testRegion, ListOptions{}, func(j *JobDetail) error {
				got = append(got, j.Name)
				return nil
			})
			if err != nil || strings.Join(got, " ") != tt.want || f.count("GET", "/inventorytriggerjob") != tt.calls {
				t.Errorf("got %v, %v after %d calls; want %q after %d", got, err, f.count("GET", "/inventorytriggerjob"), tt.want, tt.calls)
			}
		})
	}
	f := pagedCI(t, map[string][2]string{"": {"a b", "t1"}, "t1": {"c", ""}})
	c, _ := newTestClient(t, f, nil)
	stop := errors.New("stop")
	if err := c.ListAll(context.Background(), testBucket, testRegion, ListOptions{}, func(*JobDetail) error { return stop }); err != stop {
		t.Errorf("callback error = %v", err)
	}
}

func TestFindByName(t *testing.T) {
	// The service here applies the name filter as a prefix: the exact match is on page 2.
	f := pagedCI(t, map[string][2]string{"": {"plan-job-10 plan-job-11 other", "t1"}, "t1": {"plan-job-1 plan-job-12", ""}})
	c, _ := newTestClient(t, f, nil)
	j, err := c.FindByName(context.Background(), testBucket, testRegion, TypeWorkflow, "plan-job-1")
	if err != nil || j.Name != "plan-job-1" || j.JobId != "bplanjob1" {
		t.Fatalf("find = %+v, %v", j, err)
	}
	q, _ := url.ParseQuery(f.last().RawQuery)
	if q.Get("name") != "plan-job-1" || q.Get("type") != "Workflow" || q.Get("states") != "All" || q.Get("size") != "100" {
		t.Errorf("query = %v", q)
	}
	_, err = c.FindByName(context.Background(), testBucket, testRegion, TypeWorkflow, "plan-job-2")
	if !errors.Is(err, ErrNotFound) || IsUncertain(err) {
		t.Errorf("missing name: %v", err)
	}
}
