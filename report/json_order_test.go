package report

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
)

// The report lists requests in the plans' order, whatever order they finished in, with
// the ones an interruption never reached in their places.
func TestJSONReportRequestsInPlanOrder(t *testing.T) {
	p, err := plan.Parse("p.yaml", []byte(`version: 1
name: order
defaults: {bucket: examplebucket-1250000000, region: ap-beijing, workflow: w7476ff3564ee45b7b490d64bccaba6cc}
jobs:
  - name: days
    prefix: in/
    window: {start: 2024-01-01T00:00:00+08:00, end: 2024-01-11T00:00:00+08:00, every: 1d}
`))
	if err != nil {
		t.Fatal(err)
	}
	var reqs []plan.Request
	for r := range p.Requests() {
		reqs = append(reqs, r)
	}
	var out strings.Builder
	rep := NewJSON(&out, Meta{})
	rep.SetPlans([]*plan.Plan{p}, nil)
	for _, i := range []int{7, 2, 9, 0, 5, 1} { // finished out of order; 3, 4, 6 and 8 never reached
		q := reqs[i]
		if err := rep.Add(executor.Result{Key: request.Key{Plan: q.Plan, Job: q.Job, Name: q.Name, Seq: q.Seq},
			Status: request.Triggered, JobID: "j"}); err != nil {
			t.Fatal(err)
		}
	}
	sum := &executor.Summary{Total: executor.Counts{Planned: 10, Triggered: 6}}
	if err := rep.Close(sum, nil, Meta{Interrupted: true}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Requests []struct {
			Seq    int    `json:"seq"`
			Status string `json:"status"`
		} `json:"requests"`
	}
	if err := json.Unmarshal([]byte(out.String()), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if len(doc.Requests) != 10 {
		t.Fatalf("%d requests, want 10", len(doc.Requests))
	}
	for i, r := range doc.Requests {
		want := "triggered"
		if i == 3 || i == 4 || i == 6 || i == 8 {
			want = "not_done"
		}
		if r.Seq != i || r.Status != want {
			t.Errorf("requests[%d] = seq %d %s, want seq %d %s", i, r.Seq, r.Status, i, want)
		}
	}
}
