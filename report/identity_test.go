package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
)

// identityPlan has windows at an offset of minutes (+0545) and a node job on one object.
const identityPlan = `version: 1
name: ident
defaults:
  bucket: examplebucket-1250000000
  region: ap-beijing
  timezone: Asia/Kathmandu
jobs:
  - name: hourly
    prefix: input/video/
    workflow: w7476ff3564ee45b7b490d64bccaba6cc
    window:
      start: 2024-01-01T00:00:00
      end: 2024-01-01T02:00:00
      every: 1h
  - name: info
    type: job
    object: input/a.mp4
    job:
      tag: MediaInfo
      template_id: t1460606b9752148c4ab182f55163ba7cd
`

// TestRequestIdentityIsUnchanged: one request.Key now names a request everywhere, and
// what users and state files hold of it stays byte for byte what it was: the names, the
// JSON report's rows, the dry run's lines (with the body's window) and status's rows in
// JSON and text. The golden file was written by the code before the key existed.
func TestRequestIdentityIsUnchanged(t *testing.T) {
	p, err := plan.Parse("ident.yaml", []byte(identityPlan))
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	var out bytes.Buffer
	r := NewJSON(&out, Meta{})
	for q := range p.Requests() {
		fmt.Fprintf(&all, "name %s\n", q.Name)
		res := executor.Result{Key: q.Key, Status: request.Triggered, JobID: "b1", JobState: "Running", Attempts: 1}
		if err := r.Add(res); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Close(nil, nil, Meta{}); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&all, "report\n%s", out.String())
	for _, format := range []string{"json", "text"} {
		var b bytes.Buffer
		sink, err := New(format, &b)
		if err != nil {
			t.Fatal(err)
		}
		if format == "json" {
			if err := sink.Preview([]*plan.Plan{p}, nil); err != nil {
				t.Fatal(err)
			}
		}
		for q := range p.Requests() {
			// A row as the state reads it back: its window in a shared fixed zone.
			k := q.Key
			if err := k.SetWindow(q.StartText(), q.EndText()); err != nil {
				t.Fatal(err)
			}
			rec := executor.Record{Key: k, Status: request.Triggered, JobID: "b1", JobState: "Running", Attempts: 1,
				UpdatedAt: time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)}
			if err := sink.Status(rec); err != nil {
				t.Fatal(err)
			}
		}
		if err := sink.Flush(); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&all, "%s dry run and status\n%s", format, b.String())
	}
	golden(t, "identity.golden", all.String())
}
