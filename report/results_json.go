package report

import (
	"bufio"
	"encoding/json"
	"io"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/report/safetext"
)

// ResultRecord is one line of `planrun results --format json` (JSON Lines): one
// execution, i.e. one object through one workflow, or one node job on one object.
type ResultRecord struct {
	Plan string `json:"plan"`
	Job  string `json:"job"`
	Name string `json:"name"`
	// Origin is the plan's request the object came from: name itself for attempt 1, the
	// request whose failed object a retry batch job (name) triggers again for later ones.
	Origin      string `json:"origin"`
	BatchJobID  string `json:"batch_job_id"`
	Bucket      string `json:"bucket"`
	Region      string `json:"region"`
	Object      string `json:"object"`
	Workflow    string `json:"workflow,omitempty"`
	Tag         string `json:"tag,omitempty"`
	State       string `json:"state"`
	Code        string `json:"code"`
	Message     string `json:"message"`
	Attempt     int    `json:"attempt"`
	ExecutionID string `json:"execution_id"`
	// Error is why Code and Message are unknown (the detail call failed); omitted otherwise.
	Error string `json:"error,omitempty"`
}

// Record returns the JSON record of r.
func Record(r *executor.ObjectResult) ResultRecord {
	return ResultRecord{Plan: r.Plan, Job: r.Job, Name: r.Name, Origin: r.Origin, BatchJobID: r.BatchJobID,
		Bucket: r.Bucket, Region: r.Region, Object: r.Object, Workflow: r.Workflow, Tag: r.Tag,
		State: r.State, Code: r.Code, Message: r.Message, Attempt: r.Attempt,
		ExecutionID: r.ExecutionID, Error: detailText(r)}
}

// resultsJSON writes JSON Lines, one record per execution, as they arrive.
type resultsJSON struct {
	w    *bufio.Writer
	enc  *json.Encoder
	opts ResultsOptions
}

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
