package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan/request"
)

// parsedReport is what a user's script reads from the JSON report.
type parsedReport struct {
	Version  *int   `json:"planrun_report"`
	Started  string `json:"started"`
	Shard    string `json:"shard"`
	Endpoint string `json:"endpoint"`
	Plans    []struct {
		Name       string `json:"name"`
		Path       string `json:"path"`
		Generation int    `json:"generation"`
	} `json:"plans"`
	Requests []struct {
		Name, Plan, Job string
		Seq             int
		Bucket, Region  string
		Type            string
		Input           *struct{ Kind, Value string }
		Workflow        string
		Window          *struct{ Start, End string }
		Status, Reason  string
		JobID           string `json:"job_id"`
		State           string
		Attempts        int
		Error           *struct {
			Code, Message string
			RequestID     string `json:"request_id"`
		}
	} `json:"requests"`
	Summary *struct {
		Planned, Skipped, Triggered, Failed int
		NotDone                             int `json:"not_done"`
		Jobs                                []struct {
			Plan, Job                           string
			Planned, Skipped, Triggered, Failed int
			NotDone                             int `json:"not_done"`
		}
		Failures []struct{ Name string }
	} `json:"summary"`
	Wait *struct {
		States map[string]int
		Failed []struct{ Name, State, Code, Message string }
	} `json:"wait"`
	Finished    string `json:"finished"`
	Interrupted *bool  `json:"interrupted"`
}

func decodeStrict(t *testing.T, b []byte) parsedReport {
	t.Helper()
	if !json.Valid(b) {
		t.Fatalf("not valid JSON:\n%s", b)
	}
	var p parsedReport
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestJSONReportHasEveryRequestAndSummary(t *testing.T) {
	var out bytes.Buffer
	meta := fixtureMeta()
	r := NewJSON(&out, meta)
	for _, res := range fixtureResults() {
		if err := r.Add(res); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Close(fixtureSummary(), fixtureWait(), meta); err != nil {
		t.Fatal(err)
	}
	p := decodeStrict(t, out.Bytes())

	if p.Version == nil || *p.Version != 1 {
		t.Errorf("planrun_report = %v, want 1", p.Version)
	}
	if p.Started != "2024-05-01T08:00:00Z" || p.Finished != "2024-05-01T08:00:03.25Z" {
		t.Errorf("started/finished = %q/%q", p.Started, p.Finished)
	}
	if p.Interrupted == nil || !*p.Interrupted {
		t.Error("interrupted: want true")
	}
	if len(p.Plans) != 3 || p.Plans[0].Path != "plans/video.yaml" || p.Plans[0].Generation != 2 {
		t.Errorf("plans = %+v", p.Plans)
	}
	if p.Endpoint != "http://127.0.0.1:9000/" {
		t.Errorf("endpoint = %q: user info and query must be dropped", p.Endpoint)
	}
	if strings.Contains(out.String(), "hunter2") || strings.Contains(out.String(), "token=") {
		t.Error("report leaks the endpoint's credentials")
	}

	if len(p.Requests) != 5 {
		t.Fatalf("%d requests, want 5", len(p.Requests))
	}
	q := p.Requests[0]
	if q.Name != "video-backfill-videos-0-aaaa" || q.Status != "triggered" || q.JobID != "b1111" ||
		q.Input == nil || q.Input.Kind != "Prefix" || q.Input.Value != "input/video/" ||
		q.Window == nil || q.Window.Start != "2024-01-01T00:00:00+0800" || q.Workflow == "" || q.Error != nil {
		t.Errorf("triggered request = %+v", q)
	}
	if q := p.Requests[1]; q.Status != "skipped" || q.Reason != "state" || q.State != "Success" {
		t.Errorf("skipped request = %+v", q)
	}
	if q := p.Requests[2]; q.Status != "failed" || q.Error == nil || q.Error.Code != "InvalidArgument" ||
		q.Error.RequestID != "NjU4YmQ0ZDhf" || !strings.Contains(q.Error.Message, "<x>\nsecond line") {
		t.Errorf("failed request = %+v", q)
	}
	if q := p.Requests[3]; q.Status != "not_done" || q.Window != nil || q.Workflow != "" || q.Type != "Job" {
		t.Errorf("not-done request = %+v", q)
	}
	if q := p.Requests[4]; q.Error == nil || q.Error.Code != "" || !strings.Contains(q.Error.Message, "connection refused") || q.Attempts != 6 {
		t.Errorf("network failure = %+v", q)
	}
	s := p.Summary
	if s == nil || s.Planned != 6 || s.Skipped != 1 || s.Triggered != 1 || s.Failed != 2 || s.NotDone != 2 {
		t.Fatalf("summary = %+v", s)
	}
	if len(s.Jobs) != 3 || s.Jobs[1].Job != "one-file" || s.Jobs[1].NotDone != 2 || len(s.Failures) != 2 {
		t.Errorf("summary jobs/failures = %+v", s)
	}
	if p.Wait == nil || p.Wait.States["Success"] != 1 || len(p.Wait.Failed) != 1 || p.Wait.Failed[0].Code != "InternalError" {
		t.Errorf("wait = %+v", p.Wait)
	}
	// Optional fields are left out, not written empty.
	if strings.Contains(out.String(), `""`) {
		t.Errorf("report has empty strings:\n%s", out.String())
	}
}

func TestJSONReportWithoutRequests(t *testing.T) {
	for _, sum := range []*executor.Summary{nil, {}} {
		var out bytes.Buffer
		r := NewJSON(&out, Meta{})
		if err := r.Close(sum, nil, Meta{}); err != nil {
			t.Fatal(err)
		}
		p := decodeStrict(t, out.Bytes())
		if p.Requests == nil || len(p.Requests) != 0 {
			t.Errorf("requests = %v, want []", p.Requests)
		}
		if p.Wait != nil || p.Interrupted == nil || *p.Interrupted {
			t.Errorf("wait %v interrupted %v", p.Wait, p.Interrupted)
		}
		if (sum == nil) != (p.Summary == nil) {
			t.Errorf("summary = %+v for %v", p.Summary, sum)
		}
		if !strings.Contains(out.String(), `"plans":[]`) {
			t.Errorf("plans should be an empty array: %s", out.String())
		}
	}
}

// countingWriter counts the bytes that reached it.
type countingWriter struct{ n int }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

func TestJSONReportStreamsWithoutRetaining(t *testing.T) {
	const n = 10000
	cw := &countingWriter{}
	r := NewJSON(cw, Meta{})
	res := fixtureResults()[0]
	one, err := json.Marshal(requestOf(res))
	if err != nil {
		t.Fatal(err)
	}
	const buffered = 64 << 10 // the report's write buffer
	for i := range n {
		res.Seq = i
		if err := r.Add(res); err != nil {
			t.Fatal(err)
		}
		// Everything but the last buffer-full has reached the writer: nothing piles up.
		if min := (i+1)*len(one) - buffered - len(one); cw.n < min {
			t.Fatalf("after %d adds only %d bytes written, want >= %d", i+1, cw.n, min)
		}
	}
	allocs := testing.AllocsPerRun(200, func() { _ = r.Add(res) })
	if allocs > 10 {
		t.Errorf("Add allocates %.0f times per request", allocs)
	}

	var out bytes.Buffer
	r = NewJSON(&out, Meta{})
	for i := range n {
		res.Seq = i
		if err := r.Add(res); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Close(&executor.Summary{Total: executor.Counts{Planned: n, Triggered: n}}, nil, Meta{}); err != nil {
		t.Fatal(err)
	}
	p := decodeStrict(t, out.Bytes())
	if len(p.Requests) != n || p.Requests[n-1].Seq != n-1 {
		t.Fatalf("%d requests, want %d", len(p.Requests), n)
	}
	if lines := strings.Count(out.String(), "\n"); lines != n+2 {
		t.Errorf("%d lines, want a header line, one line per request and a footer line (%d)", lines, n+2)
	}
}

type failingWriter struct{ err error }

func (w failingWriter) Write(p []byte) (int, error) { return 0, w.err }

func TestJSONReportWriteErrors(t *testing.T) {
	boom := errors.New("disk full")
	r := NewJSON(failingWriter{boom}, Meta{})
	var err error
	for i := 0; i < 2000 && err == nil; i++ {
		err = r.Add(fixtureResults()[0])
	}
	if err == nil {
		err = r.Close(nil, nil, Meta{})
	}
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want disk full", err)
	}
	if err := r.Add(fixtureResults()[0]); !errors.Is(err, boom) && !errors.Is(err, ErrClosed) {
		t.Errorf("after failure: %v", err)
	}

	r = NewJSON(&bytes.Buffer{}, Meta{})
	if err := r.Close(nil, nil, Meta{}); err != nil {
		t.Fatal(err)
	}
	if err := r.Add(fixtureResults()[0]); !errors.Is(err, ErrClosed) {
		t.Errorf("Add after Close = %v, want ErrClosed", err)
	}
	if err := r.Close(nil, nil, Meta{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Close twice = %v, want ErrClosed", err)
	}
}

func TestSafeEndpoint(t *testing.T) {
	for in, want := range map[string]string{
		"":         "",
		"emulator": "emulator",
		"https://{bucket}.ci.{region}.myqcloud.com": "https://{bucket}.ci.{region}.myqcloud.com",
		"http://AKID:secret@127.0.0.1:9000/x?sig=1": "http://127.0.0.1:9000/x",
		"http://127.0.0.1:9000#frag":                "http://127.0.0.1:9000",
		"a:b@host/p":                                "host/p",
	} {
		if got := safeEndpoint(in); got != want {
			t.Errorf("safeEndpoint(%q) = %q, want %q", in, got, want)
		}
	}
}

func ExampleNewJSON() {
	var out bytes.Buffer
	r := NewJSON(&out, Meta{Plans: []PlanInfo{{Name: "p", Generation: 1}}})
	_ = r.Add(executor.Result{Key: request.Key{Plan: "p", Job: "j", Name: "p-j-0", Bucket: "b-1250000000",
		Region: "ap-beijing"}, Status: request.Triggered, JobID: "b1", Attempts: 1})
	_ = r.Close(&executor.Summary{Total: executor.Counts{Planned: 1, Triggered: 1}}, nil, Meta{})
	fmt.Print(out.String())
	// Output:
	// {"planrun_report":1,"plans":[{"name":"p","generation":1}],"requests":[
	// {"name":"p-j-0","plan":"p","job":"j","seq":0,"bucket":"b-1250000000","region":"ap-beijing","status":"triggered","job_id":"b1","attempts":1}
	// ],"summary":{"planned":1,"skipped":0,"triggered":1,"failed":0,"not_done":0,"jobs":[],"failures":[]},"interrupted":false}
}
