package report

import (
	"time"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan/request"
	"github.com/planrun/planrun/report/results"
)

// jsonHeader is the part of the JSON report written before the requests.
type jsonHeader struct {
	Version  int        `json:"planrun_report"`
	Started  *time.Time `json:"started,omitempty"`
	DryRun   bool       `json:"dry_run,omitempty"`
	Shard    string     `json:"shard,omitempty"`
	Endpoint string     `json:"endpoint,omitempty"`
	Plans    []jsonPlan `json:"plans"`
}

type jsonPlan struct {
	Name       string `json:"name"`
	Path       string `json:"path,omitempty"`
	Generation int    `json:"generation,omitempty"`
}

// jsonRequestID is what identifies a request in every JSON output: the report's rows,
// the dry run's lines and status's lines.
type jsonRequestID struct {
	Name     string      `json:"name"`
	Plan     string      `json:"plan"`
	Job      string      `json:"job"`
	Seq      int         `json:"seq"`
	Bucket   string      `json:"bucket"`
	Region   string      `json:"region"`
	Type     string      `json:"type,omitempty"`
	Input    *jsonInput  `json:"input,omitempty"`
	Workflow string      `json:"workflow,omitempty"`
	Window   *jsonWindow `json:"window,omitempty"`
	// Attempt is the batch job attempt the line is about (run --rerun): absent for the
	// request's own (1), N for "<name>-a<N>", which is then the name; status shows each
	// request's latest, so it is how many attempts there were.
	Attempt int `json:"attempt,omitempty"`
}

// idOf is the JSON of the request k names.
func idOf(k *request.Key) jsonRequestID {
	j := jsonRequestID{Name: k.Name, Plan: k.Plan, Job: k.Job, Seq: k.Seq, Bucket: k.Bucket, Region: k.Region, Type: k.Type, Workflow: k.Workflow}
	if a := k.Attempt(); a > 1 {
		j.Attempt = a
	}
	if k.InputKind != "" || k.Input != "" {
		j.Input = &jsonInput{Kind: k.InputKind, Value: k.Input}
	}
	if k.Windowed() {
		j.Window = &jsonWindow{Start: k.StartText(), End: k.EndText()}
	}
	return j
}

// jsonRequest is one element of "requests" (and of "summary.failures").
type jsonRequest struct {
	jsonRequestID
	Status   string     `json:"status"`
	Reason   string     `json:"reason,omitempty"`
	JobID    string     `json:"job_id,omitempty"`
	State    string     `json:"state,omitempty"`
	Attempts int        `json:"attempts,omitempty"`
	Error    *jsonError `json:"error,omitempty"`
}

type jsonInput struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

type jsonWindow struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// jsonError is the "error" object of a request, the shape results.JSONError has.
type jsonError = results.JSONError

// jsonFooter is the part written after the requests.
type jsonFooter struct {
	Summary     *jsonSummary `json:"summary,omitempty"`
	Wait        *jsonWait    `json:"wait,omitempty"`
	Finished    *time.Time   `json:"finished,omitempty"`
	Interrupted bool         `json:"interrupted"`
	// Stopped says why the run stopped before the end, when not interrupted (the failure
	// budget, a refused configuration, a paused queue).
	Stopped string `json:"stopped,omitempty"`
}

type jsonCounts struct {
	Planned   int `json:"planned"`
	Skipped   int `json:"skipped"`
	Triggered int `json:"triggered"`
	Failed    int `json:"failed"`
	NotDone   int `json:"not_done"`
}

type jsonJob struct {
	Plan string `json:"plan"`
	Job  string `json:"job"`
	jsonCounts
}

type jsonSummary struct {
	jsonCounts
	Jobs     []jsonJob     `json:"jobs"`
	Failures []jsonRequest `json:"failures"`
	// FailureCodes groups every failure by the service's code, with the first of each.
	FailureCodes []jsonCodeCount `json:"failure_codes,omitempty"`
	// BudgetSpent: --max-failures failures stopped the run.
	BudgetSpent bool `json:"budget_spent,omitempty"`
}

// jsonCodeCount is one element of "summary.failure_codes".
type jsonCodeCount struct {
	Code    string `json:"code,omitempty"` // left out when the service gave none
	Count   int    `json:"count"`
	Example string `json:"example"` // the Name of the first request that failed so
	Message string `json:"message,omitempty"`
}

type jsonWait struct {
	States     map[string]int `json:"states"`
	Unfinished int            `json:"unfinished"`
	Failed     []jsonJobState `json:"failed"`
}

// jsonJobState is one element of "wait.failed": a job that ended Failed or Cancel, or
// vanished (NotFound), with the service's Code and Message when it gave them.
type jsonJobState struct {
	Plan    string `json:"plan"`
	Job     string `json:"job"`
	Name    string `json:"name"`
	Bucket  string `json:"bucket,omitempty"`
	Region  string `json:"region,omitempty"`
	JobID   string `json:"job_id,omitempty"`
	State   string `json:"state"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

func countsOf(c executor.Counts) jsonCounts {
	return jsonCounts{Planned: c.Planned, Skipped: c.Skipped, Triggered: c.Triggered,
		Failed: c.Failed, NotDone: c.NotDone()}
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func headerOf(m Meta) jsonHeader {
	h := jsonHeader{Version: 1, Started: timePtr(m.Started), DryRun: m.DryRun, Shard: m.Shard,
		Endpoint: safeEndpoint(m.Endpoint), Plans: []jsonPlan{}}
	for _, p := range m.Plans {
		h.Plans = append(h.Plans, jsonPlan(p))
	}
	return h
}

func requestOf(r executor.Result) jsonRequest {
	j := jsonRequest{jsonRequestID: idOf(&r.Key), Status: statusName(r.Status), Reason: r.Reason, JobID: r.JobID, State: r.JobState, Attempts: r.Attempts}
	if r.Status == request.Failed || r.Err != nil || r.Code != "" {
		code, msg := failureText(r)
		j.Error = &jsonError{Code: code, Message: msg, RequestID: r.RequestID}
	}
	return j
}

func footerOf(sum *executor.Summary, wait *executor.WaitSummary, m Meta) jsonFooter {
	f := jsonFooter{Finished: timePtr(m.Finished), Interrupted: m.Interrupted, Stopped: m.Stopped}
	if sum != nil {
		s := &jsonSummary{jsonCounts: countsOf(sum.Total), Jobs: []jsonJob{}, Failures: []jsonRequest{}}
		for _, j := range sum.Jobs {
			s.Jobs = append(s.Jobs, jsonJob{Plan: j.Plan, Job: j.Job, jsonCounts: countsOf(j.Counts)})
		}
		for _, r := range sum.Failures {
			s.Failures = append(s.Failures, requestOf(r))
		}
		for _, c := range sum.Codes {
			s.FailureCodes = append(s.FailureCodes, jsonCodeCount{Code: c.Code, Count: c.Count, Example: c.Example.Name, Message: c.Example.Message})
		}
		s.BudgetSpent = sum.BudgetSpent
		f.Summary = s
	}
	if wait != nil {
		w := &jsonWait{States: map[string]int{}, Unfinished: wait.Unfinished, Failed: []jsonJobState{}}
		for k, v := range wait.States {
			w.States[k] = v
		}
		for _, j := range wait.Failed {
			w.Failed = append(w.Failed, jsonJobState{Plan: j.Plan, Job: j.Job, Name: j.Name,
				Bucket: j.Bucket, Region: j.Region, JobID: j.JobID, State: j.State, Code: j.Code, Message: j.Message})
		}
		f.Wait = w
	}
	return f
}
