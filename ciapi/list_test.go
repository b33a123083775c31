package ciapi

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestListQueryAndEveryJob(t *testing.T) {
	f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
		xmlResponse(w, 200, "<Response><RequestId>r</RequestId>"+job("a", "b1")+job("b", "b2")+job("c", "b3")+"<NextToken>25</NextToken></Response>")
	})
	c := newTestClient(t, f, nil)
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
