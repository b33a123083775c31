package report

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/executor/follow"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/report/safetext"
)

// jsonSink renders for scripts (docs/json.md lists every field): validate writes one
// document; a run writes the report document (JSONReport); the dry run, status and cancel
// write JSON Lines, one object per request or job. One name per concept across all of
// them: a request's row has name, plan, job, seq, bucket, region, type, input {kind,
// value}, workflow, window {start, end}; a batch job has job_id and state; an error is
// {code, message, request_id}.
type jsonSink struct {
	w      io.Writer
	o      options
	meta   Meta
	run    *JSONReport // once the first result arrived
	lines  *bufio.Writer
	enc    *json.Encoder
	closed bool
}

func newJSONSink(w io.Writer, o options) (Sink, error) {
	return &jsonSink{w: w, o: o, meta: o.meta}, nil
}

func (s *jsonSink) Checks(c []PlanCheck) error { return validationJSON(s.w, c) }

// line encodes one JSON Lines object.
func (s *jsonSink) line(v any) error {
	if s.enc == nil {
		s.lines = bufio.NewWriterSize(s.w, 64<<10)
		s.enc = json.NewEncoder(safetext.JSONWriter(s.lines))
		s.enc.SetEscapeHTML(false)
	}
	return s.enc.Encode(v)
}

// jsonDryRequest is one line of `run --dry-run --format json`: a request with its action
// ("create", or "skip" with the batch job that exists and where that is known from).
type jsonDryRequest struct {
	jsonRequestID
	Body   string `json:"body"`
	Action string `json:"action"`
	JobID  string `json:"job_id,omitempty"`
	State  string `json:"state,omitempty"`
	Source string `json:"source,omitempty"`
}

// jsonStaleJob is a line of the dry run for a batch job no longer in the plan, after the
// requests: "action": "stale".
type jsonStaleJob struct {
	Action string `json:"action"`
	Plan   string `json:"plan"`
	Job    string `json:"job,omitempty"`
	Name   string `json:"name"`
	Bucket string `json:"bucket,omitempty"`
	Region string `json:"region,omitempty"`
	JobID  string `json:"job_id,omitempty"`
	State  string `json:"state,omitempty"`
	Source string `json:"source"`
}

func (s *jsonSink) Preview(plans []*plan.Plan, keep func(*plan.Request) bool) error {
	for _, p := range plans {
		for r := range p.Requests() {
			if !keeps(keep, &r) {
				continue
			}
			body, err := executor.Body(&r)
			if err != nil {
				return fmt.Errorf("render %s: %w", r.Name, err)
			}
			action, done, err := s.o.known.Action(&r)
			if err != nil {
				return err
			}
			rec := jsonDryRequest{jsonRequestID: idOf(&r.Key), Body: string(body), Action: action,
				JobID: done.JobID, State: done.State, Source: done.Source}
			if err := s.line(&rec); err != nil {
				return err
			}
		}
	}
	for _, st := range s.o.known.Stale() {
		row := jsonStaleJob{Action: "stale", Plan: st.Plan, Job: st.Job, Name: st.Name, Bucket: st.Bucket,
			Region: st.Region, JobID: st.JobID, State: st.State, Source: st.Source}
		if err := s.line(&row); err != nil {
			return err
		}
	}
	return s.Flush()
}

func (s *jsonSink) report() *JSONReport {
	if s.run == nil {
		s.run = NewJSON(s.w, s.meta)
		if s.o.plans != nil {
			s.run.SetPlans(s.o.plans, s.o.keep)
		}
	}
	return s.run
}

func (s *jsonSink) Result(r executor.Result) error { return s.report().Add(r) }

func (s *jsonSink) RunDone(sum *executor.Summary, wait *executor.WaitSummary, meta Meta) error {
	return s.report().Close(sum, wait, meta)
}

// jsonStatusRow is one line of `status --format json`.
type jsonStatusRow struct {
	jsonRequestID
	Status string `json:"status"`
	// InPlan says whether the plans given to status still expand to the request (false:
	// an earlier generation, or a job edited since); absent without plans.
	InPlan   *bool      `json:"in_plan,omitempty"`
	JobID    string     `json:"job_id,omitempty"`
	State    string     `json:"state,omitempty"`
	Attempts int        `json:"attempts"`
	Error    *jsonError `json:"error,omitempty"`
	Updated  string     `json:"updated"`
}

func (s *jsonSink) Status(rec executor.Record) error {
	row := jsonStatusRow{
		jsonRequestID: idOf(&rec.Key),
		Status:        statusName(rec.Status), JobID: rec.JobID, State: rec.JobState, Attempts: rec.Attempts,
		Updated: rec.UpdatedAt.UTC().Format("2006-01-02T15:04:05Z"),
	}
	if rec.ErrorCode != "" || rec.ErrorMessage != "" {
		row.Error = &jsonError{Code: rec.ErrorCode, Message: rec.ErrorMessage, RequestID: rec.RequestID}
	}
	if s.o.inPlan != nil {
		in := s.o.inPlan(rec.Name)
		row.InPlan = &in
	}
	return s.line(&row)
}

// jsonCancelRow is one line of `cancel --format json`.
type jsonCancelRow struct {
	Plan    string `json:"plan"`
	Job     string `json:"job"`
	Name    string `json:"name"`
	Bucket  string `json:"bucket,omitempty"`
	Region  string `json:"region,omitempty"`
	JobID   string `json:"job_id,omitempty"`
	State   string `json:"state,omitempty"` // as the cancel left it
	Outcome string `json:"outcome"`
	// InPlan is false for a job the plan no longer makes (an earlier generation or an
	// edited job, reached with --all-generations); absent otherwise.
	InPlan *bool `json:"in_plan,omitempty"`
	// Duplicates is how many jobs on the service share this Name, when more than one.
	Duplicates int        `json:"duplicates,omitempty"`
	Error      *jsonError `json:"error,omitempty"`
}

func (s *jsonSink) Cancelled(r follow.CancelResult) error {
	row := jsonCancelRow{Plan: r.Plan, Job: r.Job, Name: r.Name, Bucket: r.Bucket, Region: r.Region,
		JobID: r.JobID, State: r.State, Outcome: r.Outcome}
	if r.Duplicates > 1 {
		row.Duplicates = r.Duplicates
	}
	if r.Outside {
		row.InPlan = new(bool)
	}
	if r.Err != nil {
		row.Error = &jsonError{Message: r.Err.Error()}
		var ae *executor.APIError
		if errors.As(r.Err, &ae) {
			row.Error.Code, row.Error.RequestID = ae.Code, ae.RequestID
		}
	}
	return s.line(&row)
}

func (s *jsonSink) Flush() error {
	if s.lines != nil {
		return s.lines.Flush()
	}
	return nil
}

type jsonProblem struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

type jsonCheck struct {
	Path     string        `json:"path"`
	Valid    bool          `json:"valid"`
	Plan     string        `json:"plan,omitempty"`
	Requests int           `json:"requests,omitempty"`
	Problems []jsonProblem `json:"problems"`
}

func validationJSON(w io.Writer, checks []PlanCheck) error {
	out := struct {
		Valid bool        `json:"valid"`
		Files []jsonCheck `json:"files"`
	}{Valid: true, Files: []jsonCheck{}}
	for _, c := range checks {
		f := jsonCheck{Path: c.Path, Valid: len(c.Problems) == 0, Plan: c.Plan, Requests: c.Requests, Problems: []jsonProblem{}}
		for _, p := range c.Problems {
			f.Problems = append(f.Problems, jsonProblem{p.File, max(p.Line, 1), max(p.Col, 1), p.Path, p.Message})
		}
		out.Valid = out.Valid && f.Valid
		out.Files = append(out.Files, f)
	}
	enc := json.NewEncoder(safetext.JSONWriter(w))
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
