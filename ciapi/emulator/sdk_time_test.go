package emulator

import (
	"context"
	"net/http"
	"testing"
	"time"

	cos "github.com/tencentyun/cos-go-sdk-v5"
)

// The official SDK's own list test sends startCreationTime "2022-02-25T12:00:00z"
// (RFC 3339 with a lower-case z, not the documented %z form). Whether the service accepts
// it is unconfirmed, so the emulator accepts it rather than fail SDK users.
func TestSDKListWithRFC3339Time(t *testing.T) {
	rn := start(t, Options{Workflows: []string{testWorkflow}})
	c := sdkClient(t, rn, DefaultSecretID, DefaultSecretKey, "")
	ctx := context.Background()
	if _, _, err := c.CI.CreateInventoryTriggerJob(ctx, &cos.CreateInventoryTriggerJobOptions{
		Name: "demo", Input: &cos.InventoryTriggerJobInput{Prefix: "input/"},
		Operation: &cos.InventoryTriggerJobOperation{WorkflowIds: testWorkflow}}); err != nil {
		t.Fatal(err)
	}
	before := time.Now().Add(-time.Minute).UTC().Format("2006-01-02T15:04:05") + "z"
	after := time.Now().Add(time.Minute).UTC().Format(time.RFC3339)
	for _, tc := range []struct {
		start string
		found bool
	}{{before, true}, {after, false}, {"2022-02-25T12:00:00z", true}} {
		list, resp, err := c.CI.DescribeInventoryTriggerJobs(ctx, &cos.DescribeInventoryTriggerJobsOptions{
			States: "All", Type: "Workflow", StartCreationTime: tc.start})
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("list from %s: %v", tc.start, err)
		}
		if got := list.JobsDetail != nil; got != tc.found {
			t.Errorf("list from %s: found %v, want %v", tc.start, got, tc.found)
		}
	}
}
