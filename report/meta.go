package report

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
)

// PlanInfo names one plan of a run.
type PlanInfo struct {
	Name       string
	Path       string
	Generation int
}

// Meta describes a run as a whole: what ran, when, and how it ended.
type Meta struct {
	Plans       []PlanInfo
	Started     time.Time
	Finished    time.Time // zero while the run is going on
	DryRun      bool
	Shard       string // e.g. "1/4"; empty when not sharded
	Endpoint    string // where requests went; never credentials (user info is dropped)
	Interrupted bool   // Ctrl-C (or a fail-fast stop) left requests not done
	Wait        bool   // the run follows its jobs (--wait): reports carry their final states
	// Stopped says why the run stopped early when running it again as it is would not help
	// (e.g. the service refused the credentials); empty otherwise.
	Stopped string
	// Command is the planrun command that ran: "run" when empty, "retry".
	Command string
	// WaitInterrupted: Ctrl-C stopped --wait (the jobs go on); Interrupted is set too.
	WaitInterrupted bool
	// Next are the commands the summary suggests; empty ones are not suggested.
	Next NextCommands
}

// NextCommands are the command lines a summary suggests for what to do next, as the user
// would type them (the command knows its flags; the report picks what fits the ending).
type NextCommands struct {
	Rerun   string // the same command again: it continues, retries the failures, skips what is done
	Status  string // follows the jobs: status --refresh
	Results string // each object's outcome: results
	Retry   string // triggers the failed objects again: retry (empty until the command exists)
	// RerunFailed sends the batch jobs that ended Failed again, as new attempts: run
	// --rerun failed (empty when the command was not run).
	RerunFailed string
}

// Duration is how long the run took; ok is false when either end is unknown.
func (m Meta) Duration() (d time.Duration, ok bool) {
	if m.Started.IsZero() || m.Finished.IsZero() || m.Finished.Before(m.Started) {
		return 0, false
	}
	return m.Finished.Sub(m.Started), true
}

// safeEndpoint returns the endpoint without user information, query or fragment, so that
// nothing resembling a credential is ever written out. It works on templates such as
// "https://{bucket}.ci.{region}.myqcloud.com" that net/url rejects.
func safeEndpoint(s string) string {
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		scheme, rest = "", s
	}
	authority, path := rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		authority, path = rest[:i], rest[i:]
	}
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		authority = authority[i+1:]
	}
	if ok {
		return scheme + "://" + authority + path
	}
	return authority + path
}

// PlanInfos names the plans of a run.
func PlanInfos(plans []*plan.Plan) []PlanInfo {
	var out []PlanInfo
	for _, p := range plans {
		out = append(out, PlanInfo{Name: p.Name, Path: p.Path, Generation: p.Generation})
	}
	return out
}

// StoppedText says why a run stopped early (Meta.Stopped): the failure budget of
// --max-failures was spent, the queue is paused, or the service refused the
// configuration; "" when none of those.
func StoppedText(sum *executor.Summary, runErr error, maxFailures int) string {
	var ce *executor.ConfigError
	var qp *executor.QueuePausedError
	switch {
	case errors.As(runErr, &ce) && ce.Refused():
		return "the service refused the configuration"
	case errors.As(runErr, &ce):
		return ce.Error()
	case errors.As(runErr, &qp):
		return "the queue is paused"
	case sum != nil && sum.BudgetSpent:
		return fmt.Sprintf("the failure budget was spent (--max-failures %d)", maxFailures)
	}
	return ""
}
