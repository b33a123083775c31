package emulator

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	cos "github.com/tencentyun/cos-go-sdk-v5"

	"github.com/planrun/planrun/ciapi"
)

// sdkClient is the official Go SDK pointed at rn with the real CI host.
func sdkClient(t *testing.T, rn *Running, id, secret, token string) *cos.Client {
	t.Helper()
	u, err := url.Parse("http://" + testHost)
	if err != nil {
		t.Fatal(err)
	}
	return cos.NewClient(&cos.BaseURL{CIURL: u}, &http.Client{Transport: &cos.AuthorizationTransport{
		SecretID: id, SecretKey: secret, SessionToken: token, Transport: rn.Transport()}})
}

func TestSDKCreateDescribeListCancel(t *testing.T) {
	rn := start(t, Options{Workflows: []string{testWorkflow}, SubmittedFor: time.Hour})
	c := sdkClient(t, rn, DefaultSecretID, DefaultSecretKey, "")
	ctx := context.Background()

	// The SDK leaves Type out here and always sends an empty <TimeInterval></TimeInterval>.
	res, _, err := c.CI.CreateInventoryTriggerJob(ctx, &cos.CreateInventoryTriggerJobOptions{
		Name:      "demo",
		Input:     &cos.InventoryTriggerJobInput{Prefix: "input/"},
		Operation: &cos.InventoryTriggerJobOperation{WorkflowIds: testWorkflow},
	})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	d := res.JobsDetail
	if res.RequestId == "" || d == nil || len(d.JobId) != 33 || d.JobId[0] != 'b' || d.State != ciapi.StateSubmitted ||
		d.Code != "Success" || d.StartTime != "-" || d.Input.Prefix != "input/" || d.Operation.WorkflowIds != testWorkflow {
		t.Fatalf("create answer: %+v %+v", res, d)
	}
	id := d.JobId

	got, _, err := c.CI.DescribeInventoryTriggerJob(ctx, id)
	if err != nil || got.JobsDetail == nil || got.JobsDetail.JobId != id || got.JobsDetail.State != ciapi.StateSubmitted {
		t.Fatalf("describe: %v %+v", err, got)
	}

	list, _, err := c.CI.DescribeInventoryTriggerJobs(ctx, &cos.DescribeInventoryTriggerJobsOptions{
		Name: "demo", States: "All", Type: "Workflow",
		StartCreationTime: time.Now().Add(-time.Hour).Format(ciapi.TimeFormat)})
	if err != nil || list.JobsDetail == nil || list.JobsDetail.JobId != id {
		t.Fatalf("list: %v %+v", err, list)
	}

	// The SDK's cancel sends no ?cancel.
	if _, err := c.CI.CancelInventoryTriggerJob(ctx, id); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	got, _, err = c.CI.DescribeInventoryTriggerJob(ctx, id)
	if err != nil || got.JobsDetail.State != ciapi.StateCancel || got.JobsDetail.EndTime == "-" {
		t.Fatalf("after cancel: %v %+v", err, got.JobsDetail)
	}
	if st := rn.Server.Stats(); st.OK[OpCreate] != 1 || st.OK[OpDescribe] != 2 || st.OK[OpList] != 1 || st.OK[OpCancel] != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestSDKTemporaryCredentials(t *testing.T) {
	const id, secret, token = "AKIDtemporary0000000000000000000000", "temporary-secret-key-000000000000", "session-token-123"
	rn := start(t, Options{Credentials: map[string]string{id: secret}, Tokens: map[string]string{id: token}})
	ctx := context.Background()

	ok := sdkClient(t, rn, id, secret, token)
	if _, _, err := ok.CI.DescribeInventoryTriggerJob(ctx, "b00000000000000000000000000000000"); err != nil {
		t.Fatalf("with token (x-cos-security-token): %v", err)
	}
	for _, bad := range []string{"", "other-token"} {
		_, _, err := sdkClient(t, rn, id, secret, bad).CI.DescribeInventoryTriggerJob(ctx, "b00000000000000000000000000000000")
		var er *cos.ErrorResponse
		if !errors.As(err, &er) || er.Response.StatusCode != http.StatusForbidden || er.Code != "InvalidAccessKeyId" {
			t.Errorf("token %q: got %v", bad, err)
		}
	}
}

func TestSDKErrorIsParsed(t *testing.T) {
	rn := start(t, Options{})
	c := sdkClient(t, rn, DefaultSecretID, DefaultSecretKey, "")
	_, _, err := c.CI.CreateInventoryTriggerJob(context.Background(), &cos.CreateInventoryTriggerJobOptions{
		Name: "bad name!", Input: &cos.InventoryTriggerJobInput{Prefix: "in/"},
		Operation: &cos.InventoryTriggerJobOperation{WorkflowIds: testWorkflow}})
	var er *cos.ErrorResponse
	if !errors.As(err, &er) || er.Code != "InvalidArgument" || er.RequestID == "" {
		t.Fatalf("got %v", err)
	}
}
