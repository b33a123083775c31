package emulator

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
)

// list sends a list call with q and returns the answer.
func (c *client) list(q url.Values) ciapi.ListResponse {
	c.t.Helper()
	status, _, body := c.call(http.MethodGet, "/inventorytriggerjob?"+q.Encode(), nil)
	if status != http.StatusOK {
		c.t.Fatalf("list %s: %d %s", q.Encode(), status, body)
	}
	var resp ciapi.ListResponse
	mustUnmarshal(c.t, body, &resp)
	return resp
}

func names(r ciapi.ListResponse) string {
	var ns []string
	for _, d := range r.JobsDetail {
		ns = append(ns, d.Name)
	}
	return strings.Join(ns, ",")
}

func TestListFilters(t *testing.T) {
	clock := newFakeClock()
	rn := start(t, Options{Clock: clock.Now, SubmittedFor: 10 * time.Minute, RunningFor: 10 * time.Minute})
	c := newClient(t, rn)
	c.now = clock.Now
	other := "w0000000000000000000000000000000a"
	c.create(workflowJob("a1", "p/")) // 12:00
	clock.Advance(5 * time.Minute)
	wb := workflowJob("a2", "p/")
	wb.Operation.WorkflowIds = other
	c.create(wb) // 12:05
	clock.Advance(5 * time.Minute)
	j := transcodeJob()
	j.Name = "a3"
	c.create(j) // 12:10
	clock.Advance(5 * time.Minute)
	last := c.create(workflowJob("b1", "p/")) // 12:15
	clock.Advance(5 * time.Minute)
	// now 12:20: a1 Success, a2 Running, a3 Running, b1 Submitted.

	cst := time.FixedZone("", 8*3600)
	at := func(h, m int) string {
		return time.Date(2024, 3, 1, h, m, 0, 0, time.UTC).In(cst).Format(ciapi.TimeFormat)
	}
	tests := []struct {
		q    url.Values
		want string
	}{
		{url.Values{}, "b1,a2,a1"}, // Workflow by default, newest first
		{url.Values{"type": {"Job"}}, "a3"},
		{url.Values{"orderByTime": {"Asc"}}, "a1,a2,b1"},
		{url.Values{"states": {"Running"}}, "a2"},
		{url.Values{"states": {"Success,Submitted"}, "type": {"Workflow"}}, "b1,a1"},
		{url.Values{"States": {"Submitted"}}, "b1"},
		{url.Values{"states": {"All"}}, "b1,a2,a1"},
		{url.Values{"startCreationTime": {at(12, 5)}}, "b1,a2"},
		{url.Values{"endCreationTime": {at(12, 5)}}, "a2,a1"},
		{url.Values{"startCreationTime": {at(12, 5)}, "endCreationTime": {at(12, 5)}}, "a2"},
		{url.Values{"workflowId": {other}}, "a2"},
		{url.Values{"jobId": {last.JobId}}, "b1"},
		{url.Values{"name": {"a1"}}, "a1"},
		{url.Values{"name": {"a"}}, ""}, // exact match by default
		{url.Values{"size": {"2"}}, "b1,a2"},
	}
	for _, tt := range tests {
		if got := names(c.list(tt.q)); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.q.Encode(), got, tt.want)
		}
	}

	all := start(t, Options{Clock: clock.Now, ListTypeDefault: ListTypeAll, NamePrefixMatch: true})
	c2 := newClient(t, all)
	c2.now = clock.Now
	c2.create(workflowJob("x-1", "p/"))
	j.Name = "x-2"
	c2.create(j)
	c2.create(workflowJob("y-1", "p/"))
	if got := names(c2.list(url.Values{"name": {"x-"}, "orderByTime": {"Asc"}})); got != "x-1,x-2" {
		t.Errorf("all types, prefix match: %q", got)
	}
}

func TestListBadParameters(t *testing.T) {
	rn := start(t, Options{})
	c := newClient(t, rn)
	for param, value := range map[string]string{
		"startCreationTime": "2022-02-25T12:00:00 0800", // an unencoded + becomes a space
		"endCreationTime":   "2022-02-25",
		"size":              "0",
		"orderByTime":       "asc",
		"states":            "Done",
		"type":              "All",
		"nextToken":         "abc",
	} {
		e := c.apiErr(http.StatusBadRequest, http.MethodGet, "/inventorytriggerjob?"+url.Values{param: {value}}.Encode(), nil)
		if e.Code != "InvalidArgument" || !strings.Contains(e.Message, param) {
			t.Errorf("%s=%s: %s %q", param, value, e.Code, e.Message)
		}
	}
}

func TestListPagination(t *testing.T) {
	rn := start(t, Options{})
	c := newClient(t, rn)
	for i := range 250 {
		c.create(workflowJob(fmt.Sprintf("job-%03d", i), "p/"))
	}
	collect := func(order string, onPage func()) []string {
		var got []string
		var pages []int
		token := ""
		for {
			q := url.Values{"size": {"100"}, "orderByTime": {order}}
			if token != "" {
				q.Set("nextToken", token)
			}
			resp := c.list(q)
			pages = append(pages, len(resp.JobsDetail))
			for _, d := range resp.JobsDetail {
				got = append(got, d.Name)
			}
			if resp.NextToken == "" {
				break
			}
			token = resp.NextToken
			onPage()
		}
		if fmt.Sprint(pages) != "[100 100 50]" {
			t.Errorf("%s pages %v", order, pages)
		}
		return got
	}
	asc := collect("Asc", func() {})
	for i, n := range asc {
		if n != fmt.Sprintf("job-%03d", i) {
			t.Fatalf("asc[%d] = %s", i, n)
		}
	}
	// Desc pages stay stable while new jobs are created between pages.
	created := 0
	desc := collect("Desc", func() { c.create(workflowJob(fmt.Sprintf("new-%d", created), "p/")); created++ })
	for i, n := range desc {
		if n != fmt.Sprintf("job-%03d", 249-i) {
			t.Fatalf("desc[%d] = %s", i, n)
		}
	}
	// size above 100 is clamped; the default is 10.
	if n := len(c.list(url.Values{"size": {"500"}}).JobsDetail); n != 100 {
		t.Errorf("size 500 gave %d", n)
	}
	if n := len(c.list(url.Values{}).JobsDetail); n != 10 {
		t.Errorf("default size gave %d", n)
	}
}

func TestListAscStableWhileCreating(t *testing.T) {
	rn := start(t, Options{})
	c := newClient(t, rn)
	for i := range 5 {
		c.create(workflowJob(fmt.Sprintf("j%d", i), "p/"))
	}
	first := c.list(url.Values{"size": {"3"}, "orderByTime": {"Asc"}})
	c.create(workflowJob("j5", "p/"))
	second := c.list(url.Values{"size": {"3"}, "orderByTime": {"Asc"}, "nextToken": {first.NextToken}})
	if names(first) != "j0,j1,j2" || names(second) != "j3,j4,j5" || second.NextToken != "" {
		t.Errorf("pages %q %q next %q", names(first), names(second), second.NextToken)
	}
}
