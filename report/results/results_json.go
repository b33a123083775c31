package results

import (
	"bufio"
	"encoding/json"
	"io"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/report/safetext"
)

// ResultRecord is one line of `planrun results --format json` (JSON Lines): one
// execution, i.e. one object through one workflow, or one node job on one object. It uses
// the vocabulary of every JSON output (docs/json.md): the batch job is job_id (and, as it
// always was here, batch_job_id), a failure is error {code, message}, and a field with
// nothing to say is left out, never "".
type ResultRecord struct {
	Plan string `json:"plan"`
	Job  string `json:"job"`
	Name string `json:"name"`
	// Origin is the plan's request the object came from: name itself for attempt 1, the
	// request whose failed object a retry batch job (name) triggers again for later ones.
	Origin      string `json:"origin,omitempty"`
	JobID       string `json:"job_id,omitempty"`
	BatchJobID  string `json:"batch_job_id,omitempty"`
	Bucket      string `json:"bucket,omitempty"`
	Region      string `json:"region,omitempty"`
	Object      string `json:"object"`
	Workflow    string `json:"workflow,omitempty"`
	Tag         string `json:"tag,omitempty"`
	State       string `json:"state,omitempty"`
	Code        string `json:"code,omitempty"`
	Message     string `json:"message,omitempty"`
	Attempt     int    `json:"attempt"`
	ExecutionID string `json:"execution_id,omitempty"`
	// Error is the failure of a Failed execution: the service's code and message, or
	// why they are unknown (the detail call failed); omitted otherwise.
	Error *JSONError `json:"error,omitempty"`
}

// JSONError is the "error" object of a JSON line: the service's code and message and the
// request id, each left out when unknown. The JSON report of a run writes the same shape.
type JSONError struct {
	Code      string `json:"code,omitempty"`
	Message   string `json:"message,omitempty"`
	RequestID string `json:"request_id,omitempty"`
}

// ObjectError is the error object of a failed execution, nil when it did not fail.
func ObjectError(r *executor.ObjectResult) *JSONError {
	if !r.Failed() && r.Code == "" && r.Message == "" && r.DetailErr == nil {
		return nil
	}
	e := &JSONError{Code: r.Code, Message: r.Message}
	if r.DetailErr != nil {
		e.Message = "the detail call failed: " + detailText(r)
	}
	if e.Code == "" && e.Message == "" {
		return nil
	}
	return e
}

// errorMessage is the message of objectError, or "".
func errorMessage(r *executor.ObjectResult) string {
	if e := ObjectError(r); e != nil {
		return e.Message
	}
	return ""
}

// Record returns the JSON record of r.
func Record(r *executor.ObjectResult) ResultRecord {
	return ResultRecord{Plan: r.Plan, Job: r.Job, Name: r.Name, Origin: r.Origin, JobID: r.BatchJobID, BatchJobID: r.BatchJobID,
		Bucket: r.Bucket, Region: r.Region, Object: r.Object, Workflow: r.Workflow, Tag: r.Tag,
		State: r.State, Code: r.Code, Message: r.Message, Attempt: r.Round,
		ExecutionID: r.ExecutionID, Error: ObjectError(r)}
}

// resultsJSON writes JSON Lines, one record per execution, as they arrive.
type resultsJSON struct {
	w    *bufio.Writer
	enc  *json.Encoder
	opts ResultsOptions
}

// NewJSON returns the JSON Lines writer of results on w: one object per execution.
func NewJSON(w io.Writer, opts ResultsOptions) ResultsWriter { return newResultsJSON(w, opts) }

func newResultsJSON(w io.Writer, opts ResultsOptions) *resultsJSON {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(safetext.JSONWriter(bw))
	enc.SetEscapeHTML(false)
	return &resultsJSON{w: bw, enc: enc, opts: opts}
}

func (j *resultsJSON) Write(r *executor.ObjectResult) error {
	if !j.opts.keep(r) {
		return nil
	}
	return j.enc.Encode(Record(r))
}

func (j *resultsJSON) Finish([]executor.ObjectCounts) error { return j.w.Flush() }
