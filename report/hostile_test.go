package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/executor/follow"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
	"github.com/planrun/planrun/report/progress"
	"github.com/planrun/planrun/report/results"
)

// hostile are service strings that try to act on a terminal or a CI log: GitHub Actions
// workflow commands after a line break, escape sequences, C1 controls, bidi overrides,
// spreadsheet formulas, a pipe that would split a Markdown row.
var hostile = []string{
	"x\n::add-mask::secret",
	"y\r\n::error title=t::injected",
	"::warning::at the start",
	"##[error]old style",
	"##vso[task.setvariable variable=x]1",
	"\x1b[31mred\x1b]0;title\x07",
	"csi\u009b31m nel\u0085",
	"rtl\u202egnp.exe",
	"=HYPERLINK(\"http://x\")",
	"in/a|b.mp4",
}

// ownCommand reports whether line is a workflow command that planrun itself writes.
func ownCommand(line string) bool {
	for _, k := range []string{"::error ", "::warning ", "::notice "} {
		if strings.HasPrefix(line, k) {
			return true
		}
	}
	return false
}

// assertSafeOutput fails when out holds a raw control character, a bidi or other hidden
// character, invalid UTF-8, a "##[" command, or a line starting a workflow command that
// planrun did not write (only when github is set may planrun's own start a line).
func assertSafeOutput(t *testing.T, what, out string, github bool) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Errorf("%s: invalid UTF-8", what)
	}
	for _, r := range out {
		if (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == 0x202e || r == 0x2028 {
			t.Errorf("%s: raw %U in the output:\n%s", what, r, out)
			return
		}
	}
	for _, line := range strings.Split(out, "\n") {
		l := strings.TrimLeft(line, " \t")
		if strings.HasPrefix(l, "::") && !(github && ownCommand(l)) {
			t.Errorf("%s: a line runs a workflow command: %q", what, line)
		}
		if l := strings.ToLower(line); strings.Contains(l, "##[") || strings.Contains(l, "##vso[") {
			t.Errorf("%s: an old-style workflow command: %q", what, line)
		}
	}
}

func hostileObjects() []executor.ObjectResult {
	var rs []executor.ObjectResult
	for i, h := range hostile {
		rs = append(rs, executor.ObjectResult{Key: request.Key{Plan: "p", Job: "j", Name: "p-j-1",
			Bucket: "b-1250000000", Region: "ap-beijing", Workflow: "w" + h},
			BatchJobID: h, Object: h, State: []string{executor.StateFailed, h}[i%2], Code: h, Message: h, Round: 1, ExecutionID: h})
	}
	return rs
}

// TestResultsFormatsCarryNoHostileText runs hostile service strings through every results
// format: none reaches the output raw, JSON stays valid and exact, CSV has no formula,
// Markdown rows keep their columns, JUnit is valid XML.
func TestResultsFormatsCarryNoHostileText(t *testing.T) {
	objs := hostileObjects()
	counts := []executor.ObjectCounts{{BatchJob: executor.BatchJob{Key: request.Key{Plan: "p", Job: "j", Name: "p-j-1"},
		ID: hostile[0]},
		Objects: len(objs), Failed: len(objs), ByCode: map[string]int{}, Err: errors.New(hostile[1])}}
	for _, h := range hostile {
		counts[0].ByCode[h]++
	}
	for _, format := range Formats(Results) {
		for _, failed := range []bool{false, true} {
			var b bytes.Buffer
			w, err := NewResults(format, &b, results.ResultsOptions{FailedOnly: failed})
			if err != nil {
				t.Fatal(err)
			}
			for i := range objs {
				if err := w.Write(&objs[i]); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Finish(counts); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			assertSafeOutput(t, format, out, false)
			switch format {
			case results.ResultsJSON:
				if failed {
					break
				}
				n := 0
				for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
					var rec struct{ Object, Message string }
					if err := json.Unmarshal([]byte(line), &rec); err != nil {
						t.Fatalf("json: %v in %q", err, line)
					}
					if rec.Object != objs[n].Object || rec.Message != objs[n].Message {
						t.Errorf("json: object %q message %q, want the service's bytes %q", rec.Object, rec.Message, objs[n].Object)
					}
					n++
				}
			case results.ResultsCSV:
				recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
				if err != nil {
					t.Fatalf("csv: %v", err)
				}
				for _, rec := range recs {
					for _, cell := range rec {
						if c := strings.TrimLeft(cell, " "); c != "" && strings.ContainsRune("=+-@", rune(c[0])) {
							t.Errorf("csv: formula cell %q", cell)
						}
					}
				}
			case results.ResultsMarkdown:
				for _, line := range strings.Split(out, "\n") {
					if strings.HasPrefix(line, "| p/j") {
						if n := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|"); n != 7 {
							t.Errorf("markdown: %d cell borders, want 7: %q", n, line)
						}
					}
				}
			case results.ResultsJUnit:
				checkXML(t, out)
			}
		}
	}
}

// checkXML fails unless out is well-formed XML.
func checkXML(t *testing.T, out string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(out))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("junit: %v\n%s", err, out)
		}
	}
}

// TestRunStatusCancelFormatsCarryNoHostileText: the run summary and its --wait states
// ("Jobs after --wait: <State> N"), status rows (the STATE column) and cancel rows, in
// every format, with hostile codes, messages, states and job ids.
func TestRunStatusCancelFormatsCarryNoHostileText(t *testing.T) {
	var failures []executor.Result
	for _, h := range hostile {
		failures = append(failures, executor.Result{Key: request.Key{Plan: "p", Job: "j", Name: "p-j-1"},
			Status: request.Failed, Code: h, Message: h, RequestID: h, JobID: h, JobState: h, Attempts: 1})
	}
	sum := &executor.Summary{Failures: failures, Total: executor.Counts{Planned: len(failures), Failed: len(failures)}}
	var jobs []executor.JobStatus
	for _, h := range hostile {
		jobs = append(jobs, executor.JobStatus{Plan: "p", Job: "j", Name: "p-j-1", JobID: h, State: h, Code: h, Message: h},
			executor.JobStatus{Plan: "p", Job: "j", Name: "p-j-2", JobID: h, State: executor.StateFailed, Code: h, Message: h})
	}
	wait := follow.NewWaitSummary(jobs)
	for _, cmd := range []Command{Run, Status, Cancel} {
		for _, format := range Formats(cmd) {
			var b bytes.Buffer
			s, err := New(format, &b)
			if err != nil {
				t.Fatal(err)
			}
			switch cmd {
			case Run:
				for _, f := range failures {
					if err := s.Result(f); err != nil {
						t.Fatal(err)
					}
				}
				if err := s.RunDone(sum, wait, Meta{Wait: true}); err != nil {
					t.Fatal(err)
				}
			case Status:
				for _, h := range hostile {
					if err := s.Status(executor.Record{Key: request.Key{Plan: "p", Job: "j", Name: "p-j-1"},
						Status: request.Triggered, JobID: h, JobState: h, ErrorCode: h, ErrorMessage: h}); err != nil {
						t.Fatal(err)
					}
				}
			case Cancel:
				for _, j := range jobs {
					if err := s.Cancelled(follow.CancelResult{JobStatus: j, Outcome: follow.CancelError, Err: errors.New(j.Message)}); err != nil {
						t.Fatal(err)
					}
				}
			}
			if err := s.Flush(); err != nil {
				t.Fatal(err)
			}
			what := string(cmd) + " --format " + format
			assertSafeOutput(t, what, b.String(), format == "github")
			if format == "junit" {
				checkXML(t, b.String())
			}
			if format == "json" {
				dec := json.NewDecoder(&b)
				for {
					var v any
					if err := dec.Decode(&v); err == io.EOF {
						break
					} else if err != nil {
						t.Fatalf("%s: invalid JSON: %v", what, err)
					}
				}
			}
		}
	}
}

// TestWaitLinesCarryNoHostileText: the waiting line and "Objects after --wait".
func TestWaitLinesCarryNoHostileText(t *testing.T) {
	var jobs []executor.JobStatus
	for _, h := range hostile {
		jobs = append(jobs, executor.JobStatus{Plan: "p", Job: "j", Name: "n", State: h})
	}
	assertSafeOutput(t, "waiting line", progress.WaitLine(follow.NewWaitSummary(jobs)), false)
	tot := results.NewObjectTotals()
	for _, o := range hostileObjects() {
		tot.Add(&o)
	}
	var b bytes.Buffer
	if err := results.WriteObjectSummary(&b, tot, hostile, "", false); err != nil {
		t.Fatal(err)
	}
	assertSafeOutput(t, "objects after --wait", b.String(), false)
}

// TestDryRunCarriesNoCommandFromThePlan is issue 23's third hole: the strings a plan's
// author writes (prefixes, objects, URLs, user data, output paths) reach the dry run's
// text, Markdown and GitHub output cleaned: "##[", "##vso[" and a "::" that would start a
// line, at any terminal width. JSON keeps them exact.
func TestDryRunCarriesNoCommandFromThePlan(t *testing.T) {
	p, err := plan.Parse("p.yaml", []byte(`version: 1
name: p
defaults: {bucket: examplebucket-1250000000, region: ap-beijing, workflow: w7476ff3564ee45b7b490d64bccaba6cc}
jobs:
  - name: a
    prefixes: ["##[error]boom/", "##vso[task.setvariable variable=x]1/", "::error::x/", " ::add-mask::y", "##VSO[task.complete]"]
  - name: b
    object: "##[warning]obj.mp4"
  - name: c
    url_file: "https://examplebucket-1250000000.cos.ap-beijing.myqcloud.com/##[error]list.txt"
  - name: d
    type: job
    prefix: "::notice::in/"
    job: {tag: Transcode, template_id: t1460606b9752148c4ab182f55163ba7cd, user_data: "##[error]ud",
      output: {region: ap-beijing, bucket: outbucket-1250000000, object: "##vso[x]out/${InputName}.mp4"}}
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range Formats(DryRun) {
		for _, width := range []int{0, 40, 200} {
			var b bytes.Buffer
			sink, err := New(format, &b, WithWidth(width))
			if err != nil {
				t.Fatal(err)
			}
			if err := sink.Preview([]*plan.Plan{p}, nil); err != nil {
				t.Fatal(err)
			}
			if err := sink.Flush(); err != nil {
				t.Fatal(err)
			}
			if format == "json" {
				if !strings.Contains(b.String(), `"prefix":"::error::x/"`) && !strings.Contains(b.String(), "::error::x/") {
					t.Errorf("json: the plan's prefix is not kept exact:\n%s", b.String())
				}
				continue
			}
			assertSafeOutput(t, format, b.String(), format == "github")
		}
	}
}

// TestValidateCarriesNoCommandFromThePlan: a problem that quotes the plan's strings (a
// bucket "##[error]b", a region "##vso[...]") reaches no output as a command: not in text,
// nor inside planrun's own ::error annotations (Azure Pipelines reads "##vso[" anywhere).
func TestValidateCarriesNoCommandFromThePlan(t *testing.T) {
	results := []plan.FileResult{{Path: "p.yaml", Problems: []plan.Problem{
		{File: "p.yaml", Line: 4, Col: 11, Path: "defaults.bucket", Message: `"##[error]b" is not a bucket`},
		{File: "p.yaml", Line: 5, Col: 11, Path: "defaults.region", Message: "\"##vso[task.setvariable variable=x]1\" is not a region\n::error::x"},
	}}}
	for _, format := range Formats(Validate) {
		var b bytes.Buffer
		if err := WriteChecks(&b, format, results); err != nil {
			t.Fatal(err)
		}
		if format != "json" {
			assertSafeOutput(t, format, b.String(), format == "github")
		} else if strings.Contains(strings.ToLower(b.String()), "##vso[") {
			t.Errorf("json: a raw ##vso[ in\n%s", b.String())
		}
	}
}
