package ciapi

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// executionPath is the path of the workflow-execution resource.
const executionPath = "/workflowexecution"

// Operation names of the per-object calls, as APIError.Op.
const (
	OpListExecutions    = "list-executions"
	OpDescribeExecution = "describe-execution"
	OpListMediaJobs     = "list-media-jobs"
	OpDescribeMediaJobs = "describe-media-jobs"
)

// ExecutionListOptions are the filters of GET /workflowexecution; empty fields are not
// sent. The service documents WorkflowId as required in some places and optional in
// others: always set it.
type ExecutionListOptions struct {
	WorkflowId        string
	JobId             string // the batch job that started the executions
	Name              string // object name filter
	States            string // comma-separated: Running, Success, Failed, Pause, Cancel, or All
	OrderByTime       string // Desc (default) or Asc
	StartCreationTime string // TimeFormat
	EndCreationTime   string // TimeFormat
	NextToken         string
	Size              int // 1..100; 0 means the service default (10)
}

func (o ExecutionListOptions) query() string {
	size := sizeParam(o.Size)
	return encodeQuery(map[string]string{
		"workflowId": o.WorkflowId, "jobId": o.JobId, "name": o.Name, "states": o.States,
		"orderByTime": o.OrderByTime, "startCreationTime": o.StartCreationTime,
		"endCreationTime": o.EndCreationTime, "nextToken": o.NextToken, "size": size,
	})
}

// ExecutionSummary is one WorkflowExecutionList entry: one object run through one workflow.
type ExecutionSummary struct {
	RunId      string `xml:"RunId"`
	WorkflowId string `xml:"WorkflowId"`
	// Object is as the service sent it (a key or a full URL); see Key.
	Object string `xml:"Object"`
	State  string `xml:"State"`
	// CreateTime is the documented element; CreationTime is what one SDK reads. Use Created.
	CreateTime   string `xml:"CreateTime"`
	CreationTime string `xml:"CreationTime,omitempty"`
}

// Created is the creation time as sent, whichever of the two element names carried it.
func (e *ExecutionSummary) Created() string {
	if e.CreateTime != "" {
		return e.CreateTime
	}
	return e.CreationTime
}

// ExecutionListResponse is one page of GET /workflowexecution; NextToken is empty on the
// last page (the end signal is undocumented: callers also stop on a repeated token).
type ExecutionListResponse struct {
	XMLName    xml.Name           `xml:"Response"`
	RequestId  string             `xml:"RequestId"`
	Executions []ExecutionSummary `xml:"WorkflowExecutionList"`
	NextToken  string             `xml:"NextToken"`
}

// ListExecutions returns one page of the executions of a workflow
// (GET /workflowexecution?workflowId=&jobId=...): one HTTP exchange.
func (c *Client) ListExecutions(ctx context.Context, bucket, region string, opt ExecutionListOptions) (*ExecutionListResponse, error) {
	const op = OpListExecutions
	resp, err := c.do(ctx, call{op: op, method: http.MethodGet, bucket: bucket, region: region,
		path: executionPath, query: opt.query()})
	if err != nil {
		return nil, err
	}
	var out ExecutionListResponse
	if err := xml.Unmarshal(resp.body, &out); err != nil {
		return nil, c.bodyError(op, resp, fmt.Errorf("decode response: %w", err))
	}
	out.NextToken = strings.TrimSpace(out.NextToken)
	return &out, nil
}

// ExecutionTask is one executed node of a workflow execution. Code and Message are the
// node's error, meaningful when State is Failed.
type ExecutionTask struct {
	Type       string `xml:"Type"`
	Name       string `xml:"Name"`
	State      string `xml:"State"`
	JobId      string `xml:"JobId"`
	CreateTime string `xml:"CreateTime"`
	StartTime  string `xml:"StartTime"`
	EndTime    string `xml:"EndTime"`
	Code       string `xml:"Code"`
	Message    string `xml:"Message"`
}

// WorkflowExecution is the WorkflowExecution element of GET /workflowexecution/<RunId>.
// The documented table names the workflow's name WorkflowName, the sample Name: both are
// read (see WorkflowTitle).
type WorkflowExecution struct {
	WorkflowId   string          `xml:"WorkflowId"`
	WorkflowName string          `xml:"WorkflowName,omitempty"`
	Name         string          `xml:"Name,omitempty"`
	RunId        string          `xml:"RunId"`
	CreateTime   string          `xml:"CreateTime"`
	CreationTime string          `xml:"CreationTime,omitempty"`
	Object       string          `xml:"Object"`
	State        string          `xml:"State"`
	Tasks        []ExecutionTask `xml:"Tasks"`
}

// WorkflowTitle is the workflow's name, from WorkflowName or Name.
func (w *WorkflowExecution) WorkflowTitle() string {
	if w.WorkflowName != "" {
		return w.WorkflowName
	}
	return w.Name
}

// Failure returns the Code and Message of the first failed task (the reason of a failed
// execution); with no failed task, the first task that carries a Code other than Success
// (or a Message); else empty strings.
func (w *WorkflowExecution) Failure() (code, message string) {
	for _, t := range w.Tasks {
		if t.State == StateFailed {
			return strings.TrimSpace(t.Code), strings.TrimSpace(t.Message)
		}
	}
	for _, t := range w.Tasks {
		c := strings.TrimSpace(t.Code)
		if (c != "" && c != "Success") || strings.TrimSpace(t.Message) != "" {
			return c, strings.TrimSpace(t.Message)
		}
	}
	return "", ""
}

// ExecutionDescribeResponse is the body of GET /workflowexecution/<RunId>. One SDK reads
// WorkflowExecution as a list: every element is kept, and Execution picks the one asked for.
type ExecutionDescribeResponse struct {
	XMLName    xml.Name            `xml:"Response"`
	RequestId  string              `xml:"RequestId"`
	Executions []WorkflowExecution `xml:"WorkflowExecution"`
}

// ErrNoExecution reports a describe of an execution that the answer does not hold.
var ErrNoExecution = errors.New("execution not found")

// DescribeExecution returns one workflow execution with its tasks (GET
// /workflowexecution/<runID>): one HTTP exchange. An answer without that execution is an
// error matching ErrNoExecution.
func (c *Client) DescribeExecution(ctx context.Context, bucket, region, runID string) (*WorkflowExecution, error) {
	const op = OpDescribeExecution
	if err := checkJobID(runID); err != nil {
		return nil, &APIError{Op: op, Err: err}
	}
	resp, err := c.do(ctx, call{op: op, method: http.MethodGet, bucket: bucket, region: region,
		path: executionPath + "/" + runID})
	if err != nil {
		return nil, err
	}
	var out ExecutionDescribeResponse
	if err := xml.Unmarshal(resp.body, &out); err != nil {
		return nil, c.bodyError(op, resp, fmt.Errorf("decode response: %w", err))
	}
	for i := range out.Executions {
		if e := &out.Executions[i]; e.RunId == runID || (e.RunId == "" && len(out.Executions) == 1) {
			return e, nil
		}
	}
	if id := requestID(out.RequestId, resp); id != "" {
		return nil, fmt.Errorf("describe execution %s: %w (RequestId: %s)", runID, ErrNoExecution, id)
	}
	return nil, fmt.Errorf("describe execution %s: %w", runID, ErrNoExecution)
}
