package ciapi

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
)

// TagPicProcess is the node tag whose jobs are listed at /pic_jobs instead of /jobs.
const TagPicProcess = "PicProcess"

// MediaJobsPath is where the jobs of a node tag are listed and described: /pic_jobs for
// PicProcess, /jobs for every other tag.
func MediaJobsPath(tag string) string {
	if tag == TagPicProcess {
		return "/pic_jobs"
	}
	return "/jobs"
}

// MediaJobListOptions are the filters of GET /jobs (and /pic_jobs); empty fields are not
// sent. Tag is required by the service.
type MediaJobListOptions struct {
	Tag                   string
	QueueId               string
	QueueType             string
	WorkflowId            string
	InventoryTriggerJobId string // the batch job that created the jobs
	InputObject           string // exact key
	States                string // comma-separated: Submitted, Running, Success, Failed, Pause, Cancel, or All
	OrderByTime           string // Desc (default) or Asc
	StartCreationTime     string // TimeFormat
	EndCreationTime       string // TimeFormat
	NextToken             string
	Size                  int // 1..100; 0 means the service default (10)
}

func (o MediaJobListOptions) query() string {
	size := sizeParam(o.Size)
	return encodeQuery(map[string]string{
		"tag": o.Tag, "queueId": o.QueueId, "queueType": o.QueueType, "workflowId": o.WorkflowId,
		"inventoryTriggerJobId": o.InventoryTriggerJobId, "inputObject": o.InputObject,
		"states": o.States, "orderByTime": o.OrderByTime, "startCreationTime": o.StartCreationTime,
		"endCreationTime": o.EndCreationTime, "nextToken": o.NextToken, "size": size,
	})
}

// MediaJobInput is the input of a node job.
type MediaJobInput struct {
	BucketId string `xml:"BucketId,omitempty"`
	Object   string `xml:"Object"`
	Region   string `xml:"Region,omitempty"`
}

// MediaJobWorkflow names the workflow execution that created a job, when one did.
type MediaJobWorkflow struct {
	RunId        string `xml:"RunId"`
	WorkflowId   string `xml:"WorkflowId"`
	WorkflowName string `xml:"WorkflowName"`
	Name         string `xml:"Name"`
}

// MediaJob is one JobsDetail of GET /jobs: one node job, on one object. Code and Message
// are meaningful when State is Failed; StartTime and EndTime are "-" when not reached.
type MediaJob struct {
	Code         string            `xml:"Code"`
	Message      string            `xml:"Message"`
	JobId        string            `xml:"JobId"`
	Tag          string            `xml:"Tag"`
	State        string            `xml:"State"`
	Progress     string            `xml:"Progress,omitempty"`
	CreationTime string            `xml:"CreationTime"`
	StartTime    string            `xml:"StartTime"`
	EndTime      string            `xml:"EndTime"`
	QueueId      string            `xml:"QueueId,omitempty"`
	Input        MediaJobInput     `xml:"Input"`
	Workflow     *MediaJobWorkflow `xml:"Workflow,omitempty"`
}

// Failure returns the job's Code and Message when it failed, else empty strings.
func (j *MediaJob) Failure() (code, message string) {
	if j.State != StateFailed {
		return "", ""
	}
	return strings.TrimSpace(j.Code), strings.TrimSpace(j.Message)
}

// MediaJobListResponse is one page of GET /jobs; NextToken is empty on the last page.
type MediaJobListResponse struct {
	XMLName    xml.Name   `xml:"Response"`
	RequestId  string     `xml:"RequestId"`
	JobsDetail []MediaJob `xml:"JobsDetail"`
	NextToken  string     `xml:"NextToken"`
}

// MediaJobDescribeResponse is the body of GET /jobs/<id>[,<id>...].
type MediaJobDescribeResponse struct {
	XMLName        xml.Name   `xml:"Response"`
	RequestId      string     `xml:"RequestId"`
	JobsDetail     []MediaJob `xml:"JobsDetail"`
	NonExistJobIds string     `xml:"NonExistJobIds,omitempty"`
}

// ListMediaJobs returns one page of the node jobs of a tag (GET /jobs?tag=..., or
// /pic_jobs for PicProcess): one HTTP exchange.
func (c *Client) ListMediaJobs(ctx context.Context, bucket, region string, opt MediaJobListOptions) (*MediaJobListResponse, error) {
	const op = OpListMediaJobs
	resp, err := c.do(ctx, call{op: op, method: http.MethodGet, bucket: bucket, region: region,
		path: MediaJobsPath(opt.Tag), query: opt.query()})
	if err != nil {
		return nil, err
	}
	var out MediaJobListResponse
	if err := xml.Unmarshal(resp.body, &out); err != nil {
		return nil, c.bodyError(op, resp, fmt.Errorf("decode response: %w", err))
	}
	out.NextToken = strings.TrimSpace(out.NextToken)
	return &out, nil
}

// DescribeMediaJobs returns node jobs by id (GET /jobs/<id>,<id>..., or /pic_jobs for
// PicProcess): one HTTP exchange. Ids the service does not know are in NonExistJobIds.
func (c *Client) DescribeMediaJobs(ctx context.Context, bucket, region, tag string, ids ...string) (*MediaJobDescribeResponse, error) {
	const op = OpDescribeMediaJobs
	if len(ids) == 0 {
		return nil, &APIError{Op: op, Err: fmt.Errorf("no job id")}
	}
	for _, id := range ids {
		if err := checkJobID(id); err != nil {
			return nil, &APIError{Op: op, Err: err}
		}
	}
	resp, err := c.do(ctx, call{op: op, method: http.MethodGet, bucket: bucket, region: region,
		path: MediaJobsPath(tag) + "/" + strings.Join(ids, ",")})
	if err != nil {
		return nil, err
	}
	var out MediaJobDescribeResponse
	if err := xml.Unmarshal(resp.body, &out); err != nil {
		return nil, c.bodyError(op, resp, fmt.Errorf("decode response: %w", err))
	}
	return &out, nil
}
