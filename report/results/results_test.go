package results

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan/request"
)

// sampleResults are the records of two plan jobs: a workflow job over two workflows and a
// node job, with failures of several codes, one running object and a failed detail call.
func sampleResults() ([]executor.ObjectResult, []executor.ObjectCounts) {
	base := executor.ObjectResult{Key: request.Key{Plan: "video-backfill", Job: "q1-videos",
		Name: "video-backfill-q1-videos-0001-abc", Bucket: "examplebucket-1250000000", Region: "ap-beijing"},
		BatchJobID: "b1", Round: 1}
	var rs []executor.ObjectResult
	add := func(wf, tag, obj, state, code, msg string, derr error) {
		r := base
		r.Workflow, r.Tag, r.Object, r.State, r.Code, r.Message, r.DetailErr = wf, tag, obj, state, code, msg, derr
		r.ExecutionID = fmt.Sprintf("i%03d", len(rs))
		if tag != "" {
			r.Job, r.BatchJobID, r.Name = "raw", "b2", "video-backfill-raw-0001-def"
		}
		rs = append(rs, r)
	}
	wa, wb := "w7476ff3564ee45b7b490d64bccaba6cc", "w0000000000000000000000000000000a"
	add(wa, "", "in/a.mp4", "Success", "", "", nil)
	add(wa, "", "in/clip 1 (final).mp4", "Failed", "InvalidMediaFile", "moov atom not found", nil)
	add(wa, "", "in/视频-2.mp4", "Failed", "ResourceDownloadFailed", "connection reset | by peer", nil)
	add(wb, "", "in/a.mp4", "Failed", "InvalidMediaFile", "moov atom not found", nil)
	add(wb, "", "in/b.mp4", "Running", "", "", nil)
	add(wb, "", "in/c.mp4", "Failed", "", "", errors.New("describe execution i005: 500 InternalError"))
	add("", "Transcode", "raw/x.mov", "Success", "", "", nil)
	add("", "Transcode", "raw/y.mov", "Cancel", "", "", nil)
	counts := []executor.ObjectCounts{
		{BatchJob: executor.BatchJob{Key: request.Key{Plan: "video-backfill", Job: "q1-videos", Name: base.Name},
			ID: "b1"}, Objects: 6, DetailErrors: 1},
		{BatchJob: executor.BatchJob{Key: request.Key{Plan: "video-backfill", Job: "raw",
			Name: "video-backfill-raw-0001-def"}, ID: "b2"}, Objects: 2},
		{BatchJob: executor.BatchJob{Key: request.Key{Plan: "video-backfill", Job: "raw",
			Name: "video-backfill-raw-0002-ghi"}, ID: "b3"},
			Err: fmt.Errorf("batch job b3: %w", executor.ErrBatchJobGone)},
	}
	return rs, counts
}

func render(t *testing.T, format string, opts ResultsOptions) string {
	t.Helper()
	var buf bytes.Buffer
	w, err := newWriter(format, &buf, opts)
	if err != nil {
		t.Fatal(err)
	}
	rs, counts := sampleResults()
	for i := range rs {
		if err := w.Write(&rs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Finish(counts); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestResultsGolden(t *testing.T) {
	golden(t, "results_text.golden", render(t, ResultsText, ResultsOptions{}))
	golden(t, "results_text_failed.golden", render(t, ResultsText, ResultsOptions{FailedOnly: true}))
	golden(t, "results_markdown.golden", render(t, ResultsMarkdown, ResultsOptions{FailedOnly: true}))
	golden(t, "results_junit.golden", render(t, ResultsJUnit, ResultsOptions{}))
}

func TestResultsJSONLinesOnePerExecution(t *testing.T) {
	rs, _ := sampleResults()
	for _, failed := range []bool{false, true} {
		out := render(t, ResultsJSON, ResultsOptions{FailedOnly: failed})
		lines := strings.Split(strings.TrimSpace(out), "\n")
		var want []executor.ObjectResult
		for _, r := range rs {
			if !failed || r.Failed() {
				want = append(want, r)
			}
		}
		if len(lines) != len(want) {
			t.Fatalf("failed=%v: %d lines, want %d", failed, len(lines), len(want))
		}
		for i, l := range lines {
			var m map[string]any
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatal(err)
			}
			w := want[i]
			keys := []string{"plan", "job", "name", "job_id", "batch_job_id", "object", "state", "attempt", "execution_id"}
			if w.Failed() && w.DetailErr == nil {
				keys = append(keys, "code", "message", "error")
			}
			for _, k := range keys {
				if _, ok := m[k]; !ok {
					t.Errorf("line %d lacks %q: %s", i, k, l)
				}
			}
			for k, v := range m {
				if v == "" {
					t.Errorf("line %d: %q is an empty string (left out when empty): %s", i, k, l)
				}
			}
			if m["object"] != w.Object || m["state"] != w.State || m["attempt"] != float64(1) || m["job_id"] != w.BatchJobID {
				t.Errorf("line %s, record %+v", l, w)
			}
			if code, _ := m["code"].(string); code != w.Code {
				t.Errorf("code of %s, record %+v", l, w)
			}
			if _, ok := m["workflow"]; ok == (w.Workflow == "") {
				t.Errorf("workflow key in %s", l)
			}
			if _, ok := m["tag"]; ok == (w.Tag == "") {
				t.Errorf("tag key in %s", l)
			}
			if (m["error"] != nil) != w.Failed() {
				t.Errorf("error key in %s", l)
			}
			if e, ok := m["error"].(map[string]any); ok && e["code"] != nil && e["code"] != w.Code {
				t.Errorf("error.code in %s", l)
			}
		}
	}
}

func TestResultsCSVRoundTrips(t *testing.T) {
	rs, _ := sampleResults()
	rows, err := csv.NewReader(strings.NewReader(render(t, ResultsCSV, ResultsOptions{}))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(rs)+1 || strings.Join(rows[0], ",") != strings.Join(resultsCSVHeader, ",") {
		t.Fatalf("rows %v", rows)
	}
	for i, r := range rs {
		row := rows[i+1]
		if row[3] != r.Origin || row[4] != r.BatchJobID || row[8] != r.Object || row[11] != r.State || row[12] != r.Code ||
			row[13] != r.Message || row[15] != r.ExecutionID {
			t.Errorf("row %v, record %+v", row, r)
		}
	}
	empty := &bytes.Buffer{}
	w, _ := newWriter(ResultsCSV, empty, ResultsOptions{})
	if err := w.Finish(nil); err != nil || strings.TrimSpace(empty.String()) != strings.Join(resultsCSVHeader, ",") {
		t.Errorf("no records: %q, %v", empty.String(), err)
	}
}

func TestResultsJUnitIsValidXMLWithACasePerObject(t *testing.T) {
	var doc struct {
		Suites []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
			Cases    []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Type string `xml:"type,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(render(t, ResultsJUnit, ResultsOptions{})), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Suites) != 2 || doc.Suites[0].Tests != 6 || doc.Suites[0].Failures != 4 || len(doc.Suites[0].Cases) != 6 ||
		doc.Suites[1].Tests != 2 || doc.Suites[1].Failures != 0 {
		t.Errorf("suites %+v", doc.Suites)
	}
	if f := doc.Suites[0].Cases[1].Failure; f == nil || f.Type != "InvalidMediaFile" {
		t.Errorf("case %+v", doc.Suites[0].Cases[1])
	}
	if err := xml.Unmarshal([]byte(render(t, ResultsJUnit, ResultsOptions{FailedOnly: true})), &doc); err != nil {
		t.Fatal(err)
	}
	var empty bytes.Buffer
	w, _ := newWriter(ResultsJUnit, &empty, ResultsOptions{})
	if err := w.Finish(nil); err != nil || xml.Unmarshal(empty.Bytes(), &doc) != nil {
		t.Errorf("no records: %q, %v", empty.String(), err)
	}
}

// writers are the constructors of the formats (report's table names them for the commands).
var writers = map[string]func(io.Writer, ResultsOptions) ResultsWriter{
	ResultsText: NewText, ResultsJSON: NewJSON, ResultsCSV: NewCSV, ResultsJUnit: NewJUnit, ResultsMarkdown: NewMarkdown,
}

func newWriter(format string, w io.Writer, opts ResultsOptions) (ResultsWriter, error) {
	f, ok := writers[format]
	if !ok {
		return nil, fmt.Errorf("no results format %q", format)
	}
	return f(w, opts), nil
}
