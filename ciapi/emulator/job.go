package emulator

import (
	"time"

	"github.com/planrun/planrun/ciapi"
)

// Job is a snapshot of one job the emulator holds, as returned by Server.Jobs and
// GET /_emulator/jobs. Times are zero when not reached yet.
type Job struct {
	Bucket       string        `json:"bucket"`
	Region       string        `json:"region"`
	ID           string        `json:"id"`
	Name         string        `json:"name"`
	Type         string        `json:"type"`
	State        string        `json:"state"`
	Code         string        `json:"code,omitempty"`
	Message      string        `json:"message,omitempty"`
	CreationTime time.Time     `json:"creationTime"`
	StartTime    time.Time     `json:"startTime,omitzero"`
	EndTime      time.Time     `json:"endTime,omitzero"`
	Input        InputInfo     `json:"input"`
	WorkflowID   string        `json:"workflowId,omitempty"`
	Tag          string        `json:"tag,omitempty"`
	TimeInterval *IntervalInfo `json:"timeInterval,omitempty"`
}

// InputInfo is the input of a Job; exactly one field is set.
type InputInfo struct {
	Manifest string `json:"manifest,omitempty"`
	UrlFile  string `json:"urlFile,omitempty"`
	Prefix   string `json:"prefix,omitempty"`
	Object   string `json:"object,omitempty"`
}

// IntervalInfo is the upload-time filter of a Job, as sent (%Y-%m-%dT%H:%M:%S%z).
type IntervalInfo struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

// job is the stored record; its state is derived from the clock when read.
type job struct {
	seq      int // position in its bucket's list, stable forever
	bucket   string
	region   string
	id       string
	req      ciapi.CreateRequest
	created  time.Time
	fails    bool
	canceled time.Time // zero unless cancelled
	// list is the URL file of a UrlFile input as stored (PUT Object) when the job was
	// created; listed reports there was one. The job runs the objects it lists.
	list   []byte
	listed bool
}

// timeline is a job's lifecycle as seen at one instant.
type timeline struct {
	state         string
	code, message string
	start, end    time.Time
}

const failCode, failMessage = "ResourceDownloadFailed", "emulated failure: input resource download failed"

// at computes the job's state at now from its creation time and the lifecycle durations.
func (j *job) at(now time.Time, submittedFor, runningFor time.Duration) timeline {
	start := j.created.Add(submittedFor)
	end := start.Add(runningFor)
	if !j.canceled.IsZero() {
		t := timeline{state: ciapi.StateCancel, end: j.canceled}
		if !j.canceled.Before(start) {
			t.start = start
		}
		return t
	}
	switch {
	case now.Before(start):
		return timeline{state: ciapi.StateSubmitted}
	case now.Before(end):
		return timeline{state: ciapi.StateRunning, start: start}
	case j.fails:
		return timeline{state: ciapi.StateFailed, code: failCode, message: failMessage, start: start, end: end}
	default:
		return timeline{state: ciapi.StateSuccess, start: start, end: end}
	}
}

// jobType is the job's type with the documented default (Workflow) applied.
func (j *job) jobType() string {
	if j.req.Type == "" {
		return ciapi.TypeWorkflow
	}
	return j.req.Type
}

// snapshot renders the job for Server.Jobs.
func (j *job) snapshot(now time.Time, submittedFor, runningFor time.Duration) Job {
	t := j.at(now, submittedFor, runningFor)
	in := j.req.Input
	out := Job{
		Bucket: j.bucket, Region: j.region, ID: j.id, Name: j.req.Name, Type: j.jobType(),
		State: t.state, Code: t.code, Message: t.message,
		CreationTime: j.created, StartTime: t.start, EndTime: t.end,
		Input:      InputInfo{Manifest: in.Manifest, UrlFile: in.UrlFile, Prefix: in.Prefix, Object: in.Object},
		WorkflowID: j.req.Operation.WorkflowIds, Tag: j.req.Operation.Tag,
	}
	if ti := j.req.Operation.TimeInterval; ti != nil && (ti.Start != "" || ti.End != "") {
		out.TimeInterval = &IntervalInfo{Start: ti.Start, End: ti.End}
	}
	return out
}

// detail renders the job as a JobsDetail element, times in loc.
func (j *job) detail(now time.Time, submittedFor, runningFor time.Duration, loc *time.Location) *ciapi.JobDetail {
	t := j.at(now, submittedFor, runningFor)
	code := t.code
	if code == "" {
		code = "Success"
	}
	in := j.req.Input
	op := j.req.Operation
	return &ciapi.JobDetail{
		Code: code, Message: t.message, Type: j.jobType(), Name: j.req.Name, JobId: j.id,
		Tag: op.Tag, State: t.state,
		CreationTime: j.created.In(loc).Format(ciapi.TimeFormat),
		StartTime:    serviceTime(t.start, loc), EndTime: serviceTime(t.end, loc),
		QueueId: op.QueueId, Input: &in, Operation: &op,
	}
}

// serviceTime renders t as the service does, "-" when not reached.
func serviceTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(loc).Format(ciapi.TimeFormat)
}
