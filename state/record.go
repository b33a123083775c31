package state

import (
	"fmt"
	"time"

	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
)

// Record is one row of the state file: a request of a plan (its request.Key, whose window
// is stored as the text it is sent as), what happened to it and the last known state of
// its job. It never holds credentials.
type Record struct {
	request.Key
	Digest       string
	Status       request.Status
	JobID        string
	JobState     string // last state seen on the service (Submitted, Running, Success, ...)
	JobCreated   string // the service's CreationTime of the job (ciapi.TimeFormat)
	Attempts     int
	ErrorCode    string
	ErrorMessage string
	RequestID    string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Done reports whether the row proves the request needs no further create: its job
// exists and the service showed it (its id is known). A triggered row without a job id
// (older versions wrote one for a 2xx answer that named no job) is not done: the next run
// reconciles it by Name.
func (r *Record) Done() bool {
	return (r.Status == request.Triggered || r.Status == request.Skipped) && r.JobID != ""
}

// RecordFor fills the request part of a Record from r.
func RecordFor(r *plan.Request, status request.Status) Record {
	return Record{Key: r.Key, Digest: r.Digest, Status: status}
}

// decodeWindow reads a window's bounds as the state stores them (encodeTime: an integer,
// or the text as sent when it was not one), into the shared zone of their offset. Text
// that is not a time of the service's form (planrun writes none; an edited or foreign
// file may hold one) reads as no bound, as the grid always read it.
func decodeWindow(start, end any) (s, e time.Time) {
	bound := func(v any) time.Time {
		if n, ok := v.(int64); ok {
			off := (int(n&(1<<offsetBits-1)) - offsetBias) * 60
			return time.Unix(n>>offsetBits, 0).In(request.ZoneAt(off))
		}
		t, _ := request.ParseTime(decodeTime(v))
		return t
	}
	return bound(start), bound(end)
}

// CreateLatency is what a run observed of how long the service takes to make a job. The
// state keeps the last one written, so that a run after a crash can size the settle wait
// of the creates the dead run left without an answer from what that run saw.
type CreateLatency struct {
	// P99 is the 99th percentile of the creates that were answered (0: none yet).
	P99 time.Duration
	// Late is the longest a job took to appear after a create with no answer: from the
	// send to the job's creation time on the service (0: none seen).
	Late time.Duration
	// Unresolved counts the creates with no answer whose job was neither seen nor known
	// to be absent: their latency is unknown, at least the request timeout.
	Unresolved int
	// Timeout is the request timeout of the run that observed these.
	Timeout time.Duration
}

// latencyKey is the meta key of the CreateLatency.
const latencyKey = "create_latency"

// encode renders l as the meta value: four integers (nanoseconds, a count).
func (l *CreateLatency) encode() string {
	return fmt.Sprintf("%d %d %d %d", l.P99, l.Late, l.Unresolved, l.Timeout)
}

// decodeLatency reads a meta value written by encode.
func decodeLatency(v string) (CreateLatency, error) {
	var l CreateLatency
	var p99, late, timeout int64
	if _, err := fmt.Sscanf(v, "%d %d %d %d", &p99, &late, &l.Unresolved, &timeout); err != nil {
		return l, fmt.Errorf("create latency %q: %w", v, err)
	}
	l.P99, l.Late, l.Timeout = time.Duration(p99), time.Duration(late), time.Duration(timeout)
	return l, nil
}
