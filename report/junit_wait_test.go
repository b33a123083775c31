package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/executor/follow"
	"github.com/planrun/planrun/plan/request"
)

// waitFixture is a wait summary over fixtureResults: the triggered job failed, the job
// skipped as done was cancelled, and a job of another plan (with no test case) vanished.
func waitFixture() *executor.WaitSummary {
	failed := executor.JobStatus{Plan: "video-backfill", Job: "videos", Name: "video-backfill-videos-0-aaaa",
		Bucket: "examplebucket-1250000000", Region: "ap-beijing", JobID: "b1111", State: "Failed",
		Code: "ResourceDownloadFailed", Message: "download <failed> & gone\nsecond line"}
	cancelled := executor.JobStatus{Plan: "video-backfill", Job: "videos", Name: "video-backfill-videos-1-bbbb",
		JobID: "b2222", State: "Cancel"}
	vanished := executor.JobStatus{Plan: "other", Job: "j", Name: "other-j-0", JobID: "b3333", State: executor.StateNotFound}
	return follow.NewWaitSummary([]executor.JobStatus{failed, cancelled, vanished})
}

func TestJUnitApplyWaitFailsTheCasesOfFailedJobs(t *testing.T) {
	var out bytes.Buffer
	j, err := NewJUnit(&out)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range fixtureResults() {
		if err := j.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.ApplyWait(waitFixture()); err != nil {
		t.Fatal(err)
	}
	if err := j.AddUnreached(fixtureSummary()); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(fixtureMeta()); err != nil {
		t.Fatal(err)
	}
	doc := parseJUnit(t, out.Bytes()) // checks that every count agrees with the cases

	// Before: 6 tests, 2 failures, 2 skipped. Two passing cases now fail, one case is added.
	if doc.Tests != "7" || doc.Failures != "5" || doc.Skipped != "2" {
		t.Errorf("totals tests=%s failures=%s skipped=%s, want 7/5/2", doc.Tests, doc.Failures, doc.Skipped)
	}
	v := doc.Suites[0]
	if v.Name != "video-backfill" || v.Tests != "5" || v.Failures != "3" || v.Skipped != "2" {
		t.Fatalf("video suite %s tests=%s failures=%s skipped=%s", v.Name, v.Tests, v.Failures, v.Skipped)
	}
	f := v.Cases[0].Failure
	if f == nil || f.Type != "ResourceDownloadFailed" || f.Message != "download <failed> & gone second line" ||
		!strings.Contains(f.Body, "Job: b1111\nState: Failed\nCode: ResourceDownloadFailed\n") ||
		!strings.Contains(f.Body, "Message: download <failed> & gone\nsecond line\n") ||
		!strings.Contains(f.Body, "Bucket: examplebucket-1250000000 (ap-beijing)") ||
		!strings.Contains(v.Cases[0].SystemOut, "triggered: job b1111") {
		t.Errorf("failed job case %+v", v.Cases[0])
	}
	if f := v.Cases[1].Failure; f == nil || f.Type != "Cancel" || f.Message != "job b2222 ended Cancel" {
		t.Errorf("cancelled job case %+v", v.Cases[1])
	}
	if v.Cases[2].Failure == nil || v.Cases[2].Failure.Type != "InvalidArgument" {
		t.Errorf("a failed request stays as it was: %+v", v.Cases[2])
	}
	if v.Cases[3].Skipped == nil || v.Cases[4].Skipped == nil {
		t.Errorf("not-done cases must stay skipped: %+v %+v", v.Cases[3], v.Cases[4])
	}
	o := doc.Suites[len(doc.Suites)-1]
	if o.Name != "other" || len(o.Cases) != 1 || o.Cases[0].Name != "other-j-0" || o.Cases[0].Classname != "other.j" ||
		o.Cases[0].Failure == nil || o.Cases[0].Failure.Type != executor.StateNotFound ||
		o.Cases[0].Failure.Message != "job b3333 no longer exists on the service" {
		t.Errorf("a failed job without a case gets one: %+v", o)
	}
	if _, err := os.Stat(j.dir); !os.IsNotExist(err) {
		t.Errorf("spool %s not removed: %v", j.dir, err)
	}
}

func TestJUnitApplyWaitMarksUnfinishedJobs(t *testing.T) {
	var out bytes.Buffer
	j, err := NewJUnit(&out)
	if err != nil {
		t.Fatal(err)
	}
	var jobs []executor.JobStatus
	const n = 2000 // several spool buffers
	for i := range n {
		// A name with characters XML escapes must still be matched.
		name := "p-j-" + strconv.Itoa(i) + `-"&'`
		if err := j.Add(executor.Result{Key: request.Key{Plan: "p", Job: "j", Name: name},
			Status: request.Triggered, JobID: "b" + strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
		js := executor.JobStatus{Plan: "p", Job: "j", Name: name, JobID: "b" + strconv.Itoa(i), State: "Running"}
		switch {
		case i%10 == 0:
			js.State, js.Code, js.Message = "Failed", "E"+strconv.Itoa(i), "m"
		case i%2 == 0:
			js.State = "Success"
		}
		jobs = append(jobs, js)
	}
	ws := follow.NewWaitSummary(jobs)
	if ws.Unfinished != n/2 || len(ws.Failed) != n/10 {
		t.Fatalf("summary: %d unfinished, %d failed", ws.Unfinished, len(ws.Failed))
	}
	if err := j.ApplyWait(ws); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(Meta{Plans: []PlanInfo{{Name: "p"}}}); err != nil {
		t.Fatal(err)
	}
	doc := parseJUnit(t, out.Bytes())
	if doc.Tests != strconv.Itoa(n) || doc.Failures != strconv.Itoa(n/10) || doc.Skipped != "0" {
		t.Fatalf("totals tests=%s failures=%s skipped=%s", doc.Tests, doc.Failures, doc.Skipped)
	}
	for i, c := range doc.Suites[0].Cases {
		still := strings.Contains(c.SystemOut, "job b"+strconv.Itoa(i)+" still Running when waiting stopped")
		switch {
		case c.Name != "p-j-"+strconv.Itoa(i)+`-"&'`:
			t.Fatalf("case %d is %q", i, c.Name)
		case i%10 == 0 && (c.Failure == nil || c.Failure.Type != "E"+strconv.Itoa(i)):
			t.Fatalf("case %d: job failed, case %+v", i, c)
		case i%10 != 0 && c.Failure != nil:
			t.Fatalf("case %d: job did not fail, case %+v", i, c)
		case i%2 == 1 && !still, i%2 == 0 && still:
			t.Fatalf("case %d: system-out %q", i, c.SystemOut)
		}
	}
	if matches, _ := filepath.Glob(filepath.Join(os.TempDir(), filepath.Base(j.dir))); len(matches) != 0 {
		t.Errorf("spool left behind: %v", matches)
	}
}

func TestJUnitApplyWaitNilAndClosed(t *testing.T) {
	var out bytes.Buffer
	j, err := NewJUnit(&out)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Add(fixtureResults()[0]); err != nil {
		t.Fatal(err)
	}
	if err := j.ApplyWait(nil); err != nil {
		t.Fatalf("ApplyWait(nil) = %v", err)
	}
	if err := j.Close(Meta{}); err != nil {
		t.Fatal(err)
	}
	if doc := parseJUnit(t, out.Bytes()); doc.Tests != "1" || doc.Failures != "0" {
		t.Errorf("without a wait nothing changes: %+v", doc)
	}
	if err := j.ApplyWait(waitFixture()); err != ErrClosed {
		t.Errorf("ApplyWait after Close = %v, want ErrClosed", err)
	}
}
