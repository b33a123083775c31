package objects

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan/request"
)

const (
	resWorkflow = "w7476ff3564ee45b7b490d64bccaba6cc"
	resTemplate = "t1460606b9752148c4ab182f55163ba7cd"
)

// createBatch creates a batch job on the emulator and returns it as Results takes it.
func createBatch(t *testing.T, c *ciapi.Client, name string, in ciapi.Input, tag string) executor.BatchJob {
	t.Helper()
	req := &ciapi.CreateRequest{Name: name, Type: ciapi.TypeWorkflow, Input: in,
		Operation: ciapi.Operation{WorkflowIds: resWorkflow}}
	bj := executor.BatchJob{Key: request.Key{Plan: "p", Job: "j-" + name, Name: name, Bucket: testBucket,
		Region: testRegion, Type: ciapi.TypeWorkflow, Workflow: resWorkflow}}
	if tag != "" {
		req.Type, req.Operation = ciapi.TypeJob, ciapi.Operation{Tag: tag,
			JobParam: &ciapi.JobParam{TemplateId: resTemplate},
			Output:   &ciapi.Output{Region: testRegion, Bucket: testBucket, Object: "out/${InputName}"}}
		bj.Type, bj.Workflow, bj.Tag = ciapi.TypeJob, "", tag
	}
	resp, err := c.Create(context.Background(), testBucket, testRegion, req)
	if err != nil {
		t.Fatal(err)
	}
	bj.ID = resp.JobsDetail.JobId
	return bj
}

// collect runs Results and returns every record.
func collect(t *testing.T, c *ciapi.Client, jobs []executor.BatchJob, opts executor.Options) ([]executor.ObjectResult, []executor.ObjectCounts) {
	t.Helper()
	var got []executor.ObjectResult
	counts, err := Results(background(t), c, jobs, opts, func(r executor.ObjectResult) error {
		got = append(got, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got, counts
}

// compare checks that records equal the emulator's executions object for object.
func compare(t *testing.T, emu *emulator.Running, got []executor.ObjectResult) {
	t.Helper()
	want := map[string]emulator.Execution{}
	for _, e := range emu.Server.Executions("") {
		want[e.ID] = e
	}
	for _, r := range got {
		w, ok := want[r.ExecutionID]
		if !ok {
			t.Errorf("record of unknown execution %+v", r)
			continue
		}
		delete(want, r.ExecutionID)
		if r.Object != w.Object || r.State != w.State || r.Code != w.Code || r.Message != w.Message ||
			r.BatchJobID != w.BatchJobID || r.Workflow != w.Workflow || r.Tag != w.Tag || r.Round != 1 {
			t.Errorf("record %+v\nemulator %+v", r, w)
		}
	}
	for _, w := range want {
		t.Errorf("execution never reported: %+v", w)
	}
}

func TestResultsEqualTheServiceObjectForObject(t *testing.T) {
	emu, c := testenv.Start(t, emulator.Options{Objects: emulator.ObjectOptions{
		PerPrefix: 250, PerList: 30, FailRate: 0.3, PermanentShare: 0.5, FullURLEvery: 2}})
	url := "https://" + testBucket + ".cos." + testRegion + ".myqcloud.com/lists/a.txt"
	jobs := []executor.BatchJob{
		createBatch(t, c, "videos", ciapi.Input{Prefix: "in/video/"}, ""),
		createBatch(t, c, "transcode", ciapi.Input{UrlFile: url}, "Transcode"),
		createBatch(t, c, "pictures", ciapi.Input{Manifest: url}, "PicProcess"),
		createBatch(t, c, "one", ciapi.Input{Object: "in/clip 1.mp4"}, ""),
	}
	got, counts := collect(t, c, jobs, quick())
	compare(t, emu, got)
	if len(got) != 250+30+30+1 {
		t.Errorf("%d records", len(got))
	}
	failed := 0
	for _, r := range got {
		if r.Failed() {
			failed++
			if r.Code == "" || r.Message == "" {
				t.Errorf("a failure without its reason: %+v", r)
			}
		}
	}
	var total executor.ObjectCounts
	for i, k := range counts {
		if k.Err != nil || k.ID != jobs[i].ID || k.Objects != k.Succeeded+k.Failed+k.Running+k.Other {
			t.Errorf("counts %+v", k)
		}
		n := 0
		for _, v := range k.ByCode {
			n += v
		}
		if n != k.Failed {
			t.Errorf("by code %v sums to %d, failed %d", k.ByCode, n, k.Failed)
		}
		total.Objects += k.Objects
		total.Failed += k.Failed
	}
	if total.Objects != len(got) || total.Failed != failed || failed == 0 {
		t.Errorf("totals %+v, failed records %d", total, failed)
	}
	// The cost: one list call per 100 executions, one detail per failed workflow execution.
	wfFailed := 0
	for _, r := range got {
		if r.Failed() && r.Workflow != "" {
			wfFailed++
		}
	}
	st := emu.Server.Stats()
	if st.Calls[emulator.OpListExecutions] != 3+1 || st.Calls[emulator.OpListJobs] != 2 ||
		st.Calls[emulator.OpDescribeExecution] != wfFailed || st.Calls[emulator.OpDescribe] != 0 {
		t.Errorf("calls %v, want 4 execution lists, 2 job lists, %d details", st.Calls, wfFailed)
	}
}

func TestResultsLoopingTokenKeepsWhatWasRead(t *testing.T) {
	_, c := testenv.Start(t, emulator.Options{Objects: emulator.ObjectOptions{PerPrefix: 30, PageSize: 10, LoopToken: true}})
	jobs := []executor.BatchJob{
		createBatch(t, c, "loops", ciapi.Input{Prefix: "a/"}, ""),
		createBatch(t, c, "single", ciapi.Input{Object: "b/x.mp4"}, ""),
	}
	got, counts := collect(t, c, jobs, quick())
	if !errors.Is(counts[0].Err, executor.ErrTokenLoop) || counts[0].Objects != 20 {
		t.Errorf("looping job: %d objects, err %v", counts[0].Objects, counts[0].Err)
	}
	if counts[1].Err != nil || counts[1].Objects != 1 || len(got) != 21 {
		t.Errorf("the next job: %+v; %d records", counts[1], len(got))
	}
}

func TestResultsFailedDetailAndGoneBatchJob(t *testing.T) {
	emu, c := testenv.Start(t, emulator.Options{Objects: emulator.ObjectOptions{PerPrefix: 40, FailRate: 0.5, DetailFailRate: 1}})
	gone := executor.BatchJob{Key: request.Key{Plan: "p", Job: "gone", Name: "gone", Bucket: testBucket,
		Region: testRegion, Workflow: resWorkflow}, ID: "b0000000000000000000000000000000f"}
	jobs := []executor.BatchJob{gone, createBatch(t, c, "flaky", ciapi.Input{Prefix: "f/"}, "")}
	opts := quick()
	opts.Retries = -1
	got, counts := collect(t, c, jobs, opts)
	if !errors.Is(counts[0].Err, executor.ErrBatchJobGone) || counts[0].Objects != 0 {
		t.Errorf("gone batch job: %+v", counts[0])
	}
	k := counts[1]
	if k.Err != nil || k.Objects != 40 || k.Failed == 0 || k.DetailErrors != k.Failed || k.ByCode[""] != k.Failed {
		t.Errorf("counts %+v", k)
	}
	for _, r := range got {
		if r.Failed() != (r.DetailErr != nil) {
			t.Errorf("record %+v", r)
		}
	}
	want := map[string]emulator.Execution{}
	for _, e := range emu.Server.Executions("") {
		want[e.ID] = e
	}
	for _, r := range got {
		if w := want[r.ExecutionID]; w.State != r.State || w.Object != r.Object {
			t.Errorf("record %+v, emulator %+v", r, w)
		}
	}
}

func TestResultsStopsOnEmitError(t *testing.T) {
	_, c := testenv.Start(t, emulator.Options{Objects: emulator.ObjectOptions{PerPrefix: 30}})
	jobs := []executor.BatchJob{createBatch(t, c, "a", ciapi.Input{Prefix: "a/"}, ""), createBatch(t, c, "b", ciapi.Input{Prefix: "b/"}, "")}
	stop := errors.New("disk full")
	n := 0
	counts, err := Results(background(t), c, jobs, quick(), func(executor.ObjectResult) error {
		if n++; n == 5 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || len(counts) != 1 || n != 5 {
		t.Errorf("err %v, %d counts, %d emitted", err, len(counts), n)
	}
}

func TestResultsUnknownWorkflowOrTagIsAClearProblem(t *testing.T) {
	_, c := testenv.Start(t, emulator.Options{Workflows: []string{resWorkflow}, Objects: emulator.ObjectOptions{PerPrefix: 5}})
	good := createBatch(t, c, "good", ciapi.Input{Prefix: "g/"}, "")
	badWf, badTag := good, createBatch(t, c, "node", ciapi.Input{Prefix: "n/"}, "Transcode")
	badWf.Workflow = "w0000000000000000000000000000000b"
	badTag.Tag = "Transcodes"
	_, counts := collect(t, c, []executor.BatchJob{badWf, badTag, good}, quick())
	for i, want := range []string{"workflow w0000000000000000000000000000000b", "tag Transcodes"} {
		var ae *ciapi.APIError
		if k := counts[i]; !errors.As(k.Err, &ae) || ae.Code != "InvalidArgument" || !strings.Contains(k.Err.Error(), want) {
			t.Errorf("counts %d: %v", i, k.Err)
		}
	}
	if counts[2].Err != nil || counts[2].Objects != 5 {
		t.Errorf("the good batch job: %+v", counts[2])
	}
}
