package emulator

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
)

const (
	testBucket = "examplebucket-1250000000"
	testRegion = "ap-beijing"
)

// apiClient is the project's client pointed at rn (the Host stays the real one).
func apiClient(t *testing.T, rn *Running, now func() time.Time) *ciapi.Client {
	t.Helper()
	c, err := ciapi.New(ciapi.Config{Endpoint: rn.URL, Retries: -1, Now: now,
		Credentials: ciapi.Credentials{SecretID: DefaultSecretID, SecretKey: DefaultSecretKey}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// listAll lists every execution of a batch job through wf, following tokens.
func listAll(t *testing.T, c *ciapi.Client, jobID, wf, states string) (out []ciapi.ExecutionSummary, pages int) {
	t.Helper()
	opt := ciapi.ExecutionListOptions{WorkflowId: wf, JobId: jobID, States: states, Size: 100}
	for {
		page, err := c.ListExecutions(context.Background(), testBucket, testRegion, opt)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		out = append(out, page.Executions...)
		if page.NextToken == "" {
			return out, pages
		}
		if page.NextToken == opt.NextToken || pages > 1000 {
			t.Fatalf("token %q repeated", page.NextToken)
		}
		opt.NextToken = page.NextToken
	}
}

func window(start, end string) *ciapi.TimeInterval {
	return &ciapi.TimeInterval{Start: start, End: end}
}

func TestPrefixFansOutByUploadTimeWithPagesAndURLs(t *testing.T) {
	rn := start(t, Options{Objects: ObjectOptions{PerPrefix: 731 * 4, PageSize: 7, FullURLEvery: 2, FailRate: 0.3}})
	c := apiClient(t, rn, nil)
	ctx := context.Background()
	req := workflowJob("week", "input/video/")
	// 2024-01-01 .. 2024-01-08 in Beijing time: 7 days at 4 objects a day.
	req.Operation.TimeInterval = window("2024-01-01T00:00:00+0800", "2024-01-08T00:00:00+0800")
	cr, err := c.Create(ctx, testBucket, testRegion, &req)
	if err != nil {
		t.Fatal(err)
	}
	id := cr.JobsDetail.JobId
	want := rn.Server.Executions(id)
	if len(want) != 28 {
		t.Fatalf("a week of 4 objects a day gave %d executions", len(want))
	}
	got, pages := listAll(t, c, id, testWorkflow, "")
	if pages != 4 {
		t.Errorf("28 executions in pages of 7 took %d pages", pages)
	}
	if len(got) != len(want) {
		t.Fatalf("listed %d executions, emulator holds %d", len(got), len(want))
	}
	byID := map[string]Execution{}
	for _, w := range want {
		byID[w.ID] = w
		if !strings.HasPrefix(w.Object, "input/video/") || w.Attempt != 1 || w.Workflow != testWorkflow {
			t.Errorf("execution %+v", w)
		}
	}
	urls := 0
	for _, g := range got {
		w, ok := byID[g.RunId]
		if !ok || ciapi.ExactKey(testBucket, testRegion, g.Object) != w.Object || g.State != w.State || g.WorkflowId != testWorkflow {
			t.Errorf("listed %+v (object %q), emulator has %+v", g, g.Object, w)
		}
		if strings.HasPrefix(g.Object, "https://"+testBucket+".cos."+testRegion+".myqcloud.com/") {
			urls++
		}
		if _, err := time.Parse(time.RFC3339, g.Created()); err != nil {
			t.Errorf("CreateTime %q: %v", g.Created(), err)
		}
	}
	if urls != 14 {
		t.Errorf("%d objects named by URL, want the 14 of pages 2 and 4", urls)
	}
	failed, _ := listAll(t, c, id, testWorkflow, "Failed")
	nf := 0
	for _, w := range want {
		if w.State == ciapi.StateFailed {
			nf++
		}
	}
	if len(failed) != nf || nf == 0 || nf == len(want) {
		t.Errorf("states=Failed listed %d, emulator has %d failed of %d", len(failed), nf, len(want))
	}
	// Another workflow, or another batch job id, lists nothing.
	if other, _ := listAll(t, c, id, "w0000000000000000000000000000000a", ""); len(other) != 0 {
		t.Errorf("another workflow listed %d", len(other))
	}
	if other, _ := listAll(t, c, "b00000000000000000000000000000000", testWorkflow, ""); len(other) != 0 {
		t.Errorf("an unknown batch job listed %d", len(other))
	}
}

func TestFailuresAndRetriesPerObject(t *testing.T) {
	rn := start(t, Options{Objects: ObjectOptions{PerPrefix: 400, FailRate: 0.4, PermanentShare: 0.5}})
	c := apiClient(t, rn, nil)
	ctx := context.Background()
	req := workflowJob("all", "in/")
	cr, err := c.Create(ctx, testBucket, testRegion, &req)
	if err != nil {
		t.Fatal(err)
	}
	first := rn.Server.Executions(cr.JobsDetail.JobId)
	var failed []Execution
	codes := map[string]bool{}
	for _, e := range first {
		if e.State == ciapi.StateFailed {
			failed = append(failed, e)
			codes[e.Code] = true
			if e.Message == "" {
				t.Errorf("failure without message: %+v", e)
			}
			// The reason is in the detail's failed task.
			x, err := c.DescribeExecution(ctx, testBucket, testRegion, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			if code, msg := x.Failure(); code != e.Code || msg != e.Message || ciapi.ExactKey(testBucket, testRegion, x.Object) != e.Object || x.State != ciapi.StateFailed {
				t.Errorf("detail %+v says %q %q, emulator %+v", x, code, msg, e)
			}
		}
	}
	if n := len(failed); n < 120 || n > 200 {
		t.Fatalf("%d of 400 failed at a 0.4 rate", n)
	}
	if len(codes) < 3 {
		t.Errorf("failure codes %v", codes)
	}
	// Retry every failed object, as a single-object batch job.
	perm := 0
	for i, f := range failed {
		r := workflowJob(fmt.Sprintf("retry-%d", i), "")
		r.Input = ciapi.Input{Object: f.Object}
		cr, err := c.Create(ctx, testBucket, testRegion, &r)
		if err != nil {
			t.Fatal(err)
		}
		got := rn.Server.Executions(cr.JobsDetail.JobId)
		if len(got) != 1 || got[0].Object != f.Object || got[0].Attempt != 2 {
			t.Fatalf("retry of %s gave %+v", f.Object, got)
		}
		if f.Permanent {
			perm++
		}
		if wantFail := f.Permanent; (got[0].State == ciapi.StateFailed) != wantFail {
			t.Errorf("retry of %+v ended %+v", f, got[0])
		}
	}
	if perm == 0 || perm == len(failed) {
		t.Errorf("%d of %d failures are permanent at a 0.5 share", perm, len(failed))
	}
}

func TestExecutionsFollowTheBatchJobLifecycle(t *testing.T) {
	clock := newFakeClock()
	rn := start(t, Options{Clock: clock.Now, SubmittedFor: time.Minute, RunningFor: 10 * time.Minute,
		Objects: ObjectOptions{PerPrefix: 100, From: clock.Now().Add(-100 * time.Hour), Until: clock.Now()}})
	c := apiClient(t, rn, clock.Now)
	ctx := context.Background()
	req := workflowJob("life", "p/")
	cr, err := c.Create(ctx, testBucket, testRegion, &req)
	if err != nil {
		t.Fatal(err)
	}
	id := cr.JobsDetail.JobId
	count := func() (all, running int) {
		got, _ := listAll(t, c, id, testWorkflow, "")
		r, _ := listAll(t, c, id, testWorkflow, "Running")
		return len(got), len(r)
	}
	if all, _ := count(); all != 0 {
		t.Errorf("a submitted batch job has %d executions", all)
	}
	clock.Advance(6 * time.Minute) // half way through Running
	if all, running := count(); all != 51 || running != 1 {
		t.Errorf("half way: %d executions, %d running; want 51 and 1", all, running)
	}
	if err := c.Cancel(ctx, testBucket, testRegion, id); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	got := rn.Server.Executions(id)
	states := map[string]int{}
	for _, e := range got {
		states[e.State]++
	}
	if len(got) != 51 || states[ciapi.StateCancel] != 1 || states[ciapi.StateSuccess] != 50 {
		t.Errorf("after cancel: %d executions, states %v", len(got), states)
	}
}

func TestNodeJobsAndPicJobs(t *testing.T) {
	rn := start(t, Options{Objects: ObjectOptions{PerList: 12, PageSize: 5, FailRate: 0.5}})
	c := apiClient(t, rn, nil)
	ctx := context.Background()
	for _, tag := range []string{"Transcode", "PicProcess"} {
		req := ciapi.CreateRequest{Name: "node-" + tag, Type: ciapi.TypeJob,
			Input: ciapi.Input{UrlFile: "https://" + testBucket + ".cos." + testRegion + ".myqcloud.com/lists/a.txt"},
			Operation: ciapi.Operation{Tag: tag, JobParam: &ciapi.JobParam{TemplateId: "t1460606b9752148c4ab182f55163ba7cd"},
				Output: &ciapi.Output{Region: testRegion, Bucket: testBucket, Object: "out/${InputName}"}}}
		cr, err := c.Create(ctx, testBucket, testRegion, &req)
		if err != nil {
			t.Fatal(err)
		}
		id := cr.JobsDetail.JobId
		want := rn.Server.Executions(id)
		if len(want) != 12 {
			t.Fatalf("%s: a URL file of 12 gave %d node jobs", tag, len(want))
		}
		var got []ciapi.MediaJob
		opt := ciapi.MediaJobListOptions{Tag: tag, InventoryTriggerJobId: id, Size: 100}
		for pages := 0; ; pages++ {
			page, err := c.ListMediaJobs(ctx, testBucket, testRegion, opt)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, page.JobsDetail...)
			if page.NextToken == "" || pages > 10 {
				break
			}
			opt.NextToken = page.NextToken
		}
		if len(got) != 12 {
			t.Fatalf("%s: listed %d", tag, len(got))
		}
		for i, g := range got {
			w := want[len(want)-1-i] // newest first
			code, msg := g.Failure()
			if g.JobId != w.ID || ciapi.ExactKey(testBucket, testRegion, g.Input.Object) != w.Object || g.State != w.State || code != w.Code || msg != w.Message || g.Tag != tag || w.Tag != tag {
				t.Errorf("%s: listed %+v, emulator %+v", tag, g, w)
			}
		}
		// The other family's path lists nothing of this tag.
		other := "/pic_jobs"
		if tag == "PicProcess" {
			other = "/jobs"
		}
		cl := newClient(t, rn)
		status, _, body := cl.call(http.MethodGet, other+"?tag="+tag+"&inventoryTriggerJobId="+id, nil)
		if status != 200 || strings.Contains(string(body), "<JobId>") {
			t.Errorf("%s listed at %s: %d %s", tag, other, status, body)
		}
		d, err := c.DescribeMediaJobs(ctx, testBucket, testRegion, tag, want[0].ID, "j00000000000000000000000000000000")
		if err != nil || len(d.JobsDetail) != 1 || d.JobsDetail[0].JobId != want[0].ID || d.NonExistJobIds != "j00000000000000000000000000000000" {
			t.Errorf("%s: describe = %+v, %v", tag, d, err)
		}
	}
	cl := newClient(t, rn)
	if e := cl.apiErr(http.StatusBadRequest, http.MethodGet, "/jobs?inventoryTriggerJobId=b1", nil); e.Code != "InvalidArgument" {
		t.Errorf("a list without tag: %+v", e)
	}
}

func TestLoopingTokenAndFailingDetail(t *testing.T) {
	rn := start(t, Options{Objects: ObjectOptions{PerPrefix: 30, PageSize: 10, LoopToken: true, DetailFailRate: 1}})
	c := apiClient(t, rn, nil)
	ctx := context.Background()
	req := workflowJob("loop", "x/")
	cr, err := c.Create(ctx, testBucket, testRegion, &req)
	if err != nil {
		t.Fatal(err)
	}
	opt := ciapi.ExecutionListOptions{WorkflowId: testWorkflow, JobId: cr.JobsDetail.JobId, Size: 100}
	p1, err := c.ListExecutions(ctx, testBucket, testRegion, opt)
	if err != nil || p1.NextToken == "" {
		t.Fatalf("page 1: %+v, %v", p1, err)
	}
	opt.NextToken = p1.NextToken
	p2, err := c.ListExecutions(ctx, testBucket, testRegion, opt)
	if err != nil || p2.NextToken != p1.NextToken || len(p2.Executions) != 10 {
		t.Errorf("page 2 token %q after %q (%v)", p2.NextToken, p1.NextToken, err)
	}
	_, err = c.DescribeExecution(ctx, testBucket, testRegion, p1.Executions[0].RunId)
	var ae *ciapi.APIError
	if !errors.As(err, &ae) || ae.Status != 500 || !ciapi.IsRetryable(err) {
		t.Errorf("detail with DetailFailRate 1: %v", err)
	}
	if got := rn.Server.Stats().Calls[OpDescribeExecution]; got != 1 {
		t.Errorf("describe-execution calls = %d", got)
	}
}

func TestUnknownExecutionIsResourceNotFound(t *testing.T) {
	rn := start(t, Options{})
	cl := newClient(t, rn)
	for _, id := range []string{"i00000000000000000000000000000000", "short"} {
		if e := cl.apiErr(http.StatusBadRequest, http.MethodGet, "/workflowexecution/"+id, nil); e.Code != "ResourceNotFound" {
			t.Errorf("%s: %+v", id, e)
		}
	}
}

func TestStateFileKeepsJobsAndExecutions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "emulator.json")
	opts := Options{StateFile: path, Objects: ObjectOptions{PerPrefix: 50, FailRate: 0.3, PermanentShare: 0.5}}
	rn, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	c := apiClient(t, rn, nil)
	ctx := context.Background()
	req := workflowJob("kept", "k/")
	cr, err := c.Create(ctx, testBucket, testRegion, &req)
	if err != nil {
		t.Fatal(err)
	}
	before := rn.Server.Executions("")
	if err := rn.Close(); err != nil {
		t.Fatal(err)
	}
	// A second process with other object options sees the same service.
	rn2 := start(t, Options{StateFile: path, Objects: ObjectOptions{PerPrefix: 3}})
	after := rn2.Server.Executions("")
	if !slices.Equal(before, after) || len(after) != 50 {
		t.Errorf("after reload %d executions, before %d (equal %v)", len(after), len(before), slices.Equal(before, after))
	}
	c2 := apiClient(t, rn2, nil)
	d, err := c2.Describe(ctx, testBucket, testRegion, cr.JobsDetail.JobId)
	if err != nil || d.JobsDetail.Name != "kept" {
		t.Errorf("describe after reload: %+v, %v", d, err)
	}
	// Attempts go on counting from the saved ones.
	r := workflowJob("again", "")
	r.Input = ciapi.Input{Object: before[0].Object}
	cr2, err := c2.Create(ctx, testBucket, testRegion, &r)
	if err != nil {
		t.Fatal(err)
	}
	if got := rn2.Server.Executions(cr2.JobsDetail.JobId); len(got) != 1 || got[0].Attempt != 2 {
		t.Errorf("retry after reload: %+v", got)
	}
}
