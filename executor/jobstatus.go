package executor

import (
	"context"
	"iter"
	"time"

	"github.com/planrun/planrun/ciapi"
)

// StateNotFound is the job state recorded when a job id the state knows no longer exists
// on the service; Wait treats it as final.
const StateNotFound = "NotFound"

// JobStatus is the last known state of one job of a plan.
type JobStatus struct {
	Plan, Job, Name string
	Bucket, Region  string
	Type            string
	JobID           string
	State           string    // Submitted, Running, Success, Failed, Pause, Cancel or StateNotFound
	Code, Message   string    // the job's error, when Failed
	Created         time.Time `json:"-"` // when the job was created (or the earliest it may have been), for package follow
	// Recheck marks a Failed job whose error the state does not hold (a state file written
	// before planrun kept the error of jobs found on the service): refresh reads it once.
	Recheck bool `json:"-"`
}

// Final reports whether the job will not change any more: Success, Failed, Cancel or
// StateNotFound.
func (j *JobStatus) Final() bool { return ciapi.Terminal(j.State) || j.State == StateNotFound }

// WaitSummary is the state of the jobs of some plans after Wait or Refresh.
type WaitSummary struct {
	// States counts the jobs per last known state.
	States map[string]int
	// Unfinished is how many jobs are not in a final state.
	Unfinished int
	// Failed lists, in plan order, the jobs that ended Failed or Cancel (or vanished), with
	// Code/Message: at most MaxKeptFailures of them (States counts them all). The summaries
	// that Options.OnWaitRound sees carry the counts only.
	Failed []JobStatus

	// jobs streams every followed job in plan order (see Jobs).
	jobs func(ctx context.Context) iter.Seq2[*JobStatus, error]
	// lookup returns the job of one request (see Job).
	lookup func(ctx context.Context, plan, name string) (*JobStatus, bool, error)
}

// Count adds j to the counts (and to Failed, up to MaxKeptFailures).
func (ws *WaitSummary) Count(j *JobStatus) {
	ws.States[j.State]++
	if !j.Final() {
		ws.Unfinished++
	} else if j.State != ciapi.StateSuccess && len(ws.Failed) < MaxKeptFailures {
		ws.Failed = append(ws.Failed, *j)
	}
}

// FailedCount is how many jobs ended Failed or Cancel, or vanished (Failed keeps at most
// MaxKeptFailures of them).
func (ws *WaitSummary) FailedCount() int {
	return ws.States[ciapi.StateFailed] + ws.States[ciapi.StateCancel] + ws.States[StateNotFound]
}

// Jobs streams every followed job with its last known state, in plan order, read again
// from the state file (nothing of it is held in memory). It yields nothing for a summary
// of a round.
func (ws *WaitSummary) Jobs(ctx context.Context) iter.Seq2[*JobStatus, error] {
	if ws == nil || ws.jobs == nil {
		return func(func(*JobStatus, error) bool) {}
	}
	return ws.jobs(ctx)
}

// Job returns the last known state of the job of request name of plan, read from the
// state file; ok is false when the summary does not follow it.
func (ws *WaitSummary) Job(ctx context.Context, plan, name string) (*JobStatus, bool, error) {
	if ws == nil || ws.lookup == nil {
		return nil, false, nil
	}
	return ws.lookup(ctx, plan, name)
}

// NewLazyWaitSummary is a summary with no counts whose Jobs and Job call jobs and lookup
// (package follow builds the summaries of Wait and Refresh with it).
func NewLazyWaitSummary(jobs func(ctx context.Context) iter.Seq2[*JobStatus, error],
	lookup func(ctx context.Context, plan, name string) (*JobStatus, bool, error)) *WaitSummary {
	return &WaitSummary{States: map[string]int{}, jobs: jobs, lookup: lookup}
}
