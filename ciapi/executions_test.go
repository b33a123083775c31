package ciapi

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestListExecutionsQueryAndBothReadings(t *testing.T) {
	f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
		xmlResponse(w, 200, `<Response><RequestId>r</RequestId>
<WorkflowExecutionList><RunId>i1</RunId><WorkflowId>w1</WorkflowId><Object>dir/a.mp4</Object><CreateTime>2024-05-01T10:00:00+08:00</CreateTime><State>Failed</State></WorkflowExecutionList>
<WorkflowExecutionList><RunId>i2</RunId><WorkflowId>w1</WorkflowId><Object>https://examplebucket-1250000000.cos.ap-beijing.myqcloud.com/dir/b%20c.mp4</Object><CreationTime>2024-05-01T10:00:01+0800</CreationTime><State>Success</State></WorkflowExecutionList>
<NextToken> 115716 </NextToken></Response>`)
	})
	c := newTestClient(t, f, nil)
	page, err := c.ListExecutions(context.Background(), testBucket, testRegion, ExecutionListOptions{
		WorkflowId: "w1", JobId: "b9", States: "Failed", Size: 500, NextToken: "7"})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Executions) != 2 || page.NextToken != "115716" {
		t.Fatalf("page = %+v", page)
	}
	e0, e1 := page.Executions[0], page.Executions[1]
	if e0.Object != "dir/a.mp4" || e0.Created() != "2024-05-01T10:00:00+08:00" || e0.State != StateFailed {
		t.Errorf("entry 0 = %+v", e0)
	}
	if ExactKey(testBucket, testRegion, e1.Object) != "dir/b c.mp4" || e1.Created() != "2024-05-01T10:00:01+0800" {
		t.Errorf("entry 1 = %+v (object %q)", e1, e1.Object)
	}
	s := f.last()
	if s.Path != "/workflowexecution" {
		t.Errorf("path = %s", s.Path)
	}
	q, _ := url.ParseQuery(s.RawQuery)
	want := map[string]string{"workflowId": "w1", "jobId": "b9", "states": "Failed", "size": "100", "nextToken": "7"}
	if len(q) != len(want) || len(s.SignedParams) != len(want) {
		t.Errorf("query = %v, signed %v", q, s.SignedParams)
	}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("query %s = %q, want %q", k, q.Get(k), v)
		}
	}
}

func TestDescribeExecutionReadsTasks(t *testing.T) {
	f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
		switch r.URL.Path {
		case "/workflowexecution/ifailed":
			xmlResponse(w, 200, `<Response><RequestId>r</RequestId><WorkflowExecution><WorkflowId>w1</WorkflowId><Name>wf</Name>
<RunId>ifailed</RunId><Object>dir/a.mp4</Object><State>Failed</State><Topology><Nodes><Start><Type>Start</Type></Start></Nodes></Topology>
<Tasks><Type>Start</Type><Name>Start</Name><State>Success</State><Code>Success</Code></Tasks>
<Tasks><Type>Transcode</Type><Name>Transcode_1</Name><State>Failed</State><JobId>j1</JobId><Code>InvalidInput</Code><Message> not a video </Message></Tasks>
</WorkflowExecution></Response>`)
		case "/workflowexecution/iwname":
			xmlResponse(w, 200, `<Response><WorkflowExecution><WorkflowName>named</WorkflowName><RunId>iwname</RunId><State>Success</State></WorkflowExecution></Response>`)
		case "/workflowexecution/iother":
			xmlResponse(w, 200, `<Response><RequestId>r3</RequestId></Response>`)
		default:
			xmlResponse(w, 400, errorXML("ResourceNotFound", "no such execution"))
		}
	})
	c := newTestClient(t, f, nil)
	ctx := context.Background()
	e, err := c.DescribeExecution(ctx, testBucket, testRegion, "ifailed")
	if err != nil {
		t.Fatal(err)
	}
	if code, msg := e.Failure(); code != "InvalidInput" || msg != "not a video" || e.WorkflowTitle() != "wf" || e.Object != "dir/a.mp4" {
		t.Errorf("failure = %q %q, execution %+v", code, msg, e)
	}
	e, err = c.DescribeExecution(ctx, testBucket, testRegion, "iwname")
	if err != nil || e.WorkflowTitle() != "named" {
		t.Errorf("describe = %+v, %v", e, err)
	}
	if code, msg := e.Failure(); code != "" || msg != "" {
		t.Errorf("success has failure %q %q", code, msg)
	}
	if _, err := c.DescribeExecution(ctx, testBucket, testRegion, "iother"); !errors.Is(err, ErrNoExecution) || !strings.Contains(err.Error(), "r3") {
		t.Errorf("empty answer: %v", err)
	}
	_, err = c.DescribeExecution(ctx, testBucket, testRegion, "imissing")
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != "ResourceNotFound" || ae.Op != OpDescribeExecution || IsRetryable(err) {
		t.Errorf("unknown run id: %v", err)
	}
	if _, err := c.DescribeExecution(ctx, testBucket, testRegion, "../jobs"); err == nil {
		t.Error("a run id that changes the path was accepted")
	}
}

func TestListMediaJobsPathPerTag(t *testing.T) {
	f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
		switch r.URL.Path {
		case "/jobs", "/pic_jobs":
			xmlResponse(w, 200, `<Response><RequestId>r</RequestId><JobsDetail><Code>InvalidInput</Code><Message>bad</Message><JobId>j1</JobId>
<Tag>`+r.URL.Query().Get("tag")+`</Tag><State>Failed</State><CreationTime>2024-05-01T10:00:00+0800</CreationTime><StartTime>-</StartTime><EndTime>-</EndTime>
<Input><BucketId>b</BucketId><Object>https://b.cos.ap-beijing.myqcloud.com/x%2By.jpg</Object><Region>ap-beijing</Region></Input></JobsDetail>
<JobsDetail><Code>Success</Code><JobId>j2</JobId><State>Success</State><Input><Object>y.jpg</Object></Input></JobsDetail><NextToken></NextToken></Response>`)
		case "/jobs/j1,j9":
			xmlResponse(w, 200, `<Response><JobsDetail><JobId>j1</JobId><State>Success</State><Input><Object>a</Object></Input></JobsDetail><NonExistJobIds>j9</NonExistJobIds></Response>`)
		}
	})
	c := newTestClient(t, f, nil)
	ctx := context.Background()
	for _, tag := range []string{"Transcode", "PicProcess"} {
		page, err := c.ListMediaJobs(ctx, testBucket, testRegion, MediaJobListOptions{Tag: tag, InventoryTriggerJobId: "b1", Size: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.JobsDetail) != 2 || page.NextToken != "" {
			t.Fatalf("page = %+v", page)
		}
		j := page.JobsDetail[0]
		if code, msg := j.Failure(); ExactKey("b", "ap-beijing", j.Input.Object) != "x+y.jpg" || code != "InvalidInput" || msg != "bad" {
			t.Errorf("job = %+v", j)
		}
		if code, _ := page.JobsDetail[1].Failure(); code != "" {
			t.Errorf("a success has code %q", code)
		}
		want := map[string]string{"Transcode": "/jobs", "PicProcess": "/pic_jobs"}[tag]
		s := f.last()
		q, _ := url.ParseQuery(s.RawQuery)
		if s.Path != want || q.Get("tag") != tag || q.Get("inventoryTriggerJobId") != "b1" || q.Get("size") != "100" {
			t.Errorf("%s: sent %s?%s", tag, s.Path, s.RawQuery)
		}
	}
	d, err := c.DescribeMediaJobs(ctx, testBucket, testRegion, "Transcode", "j1", "j9")
	if err != nil || len(d.JobsDetail) != 1 || d.NonExistJobIds != "j9" {
		t.Errorf("describe = %+v, %v", d, err)
	}
}
