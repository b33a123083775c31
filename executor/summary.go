package executor

import (
	"sync"

	"github.com/planrun/planrun/plan/request"
)

// Counts are the request counts of one job (or of a whole run).
type Counts struct {
	Planned   int
	Skipped   int
	Triggered int
	Failed    int
}

// NotDone is how many planned requests ended neither skipped, triggered nor failed
// (the run was interrupted or stopped by fail-fast before reaching them).
func (c Counts) NotDone() int { return c.Planned - c.Skipped - c.Triggered - c.Failed }

// JobCounts are the counts of one job of one plan.
type JobCounts struct {
	Plan string
	Job  string
	Counts
}

// MaxKeptFailures is how many failed results a Summary keeps (Total.Failed counts them all,
// and OnResult sees every one): a plan of a million requests that all fail must not hold a
// million results.
const MaxKeptFailures = 1000

// Summary is what a run did: counts per job in plan and job order, totals, and the failures.
type Summary struct {
	Jobs     []JobCounts
	Total    Counts
	Failures []Result
	// Codes groups every failure by the service's error code, in first-seen order, each
	// with its count and its first failure (see FailureCodes).
	Codes []CodeCount
	// BudgetSpent is set when Options.MaxFailures requests failed and the run stopped
	// starting new ones.
	BudgetSpent bool

	mu    sync.Mutex
	index map[[2]string]int
}

// job returns the counts of (plan, job), adding them in first-seen order.
func (s *Summary) job(planName, job string) *JobCounts {
	if s.index == nil {
		s.index = map[[2]string]int{}
	}
	k := [2]string{planName, job}
	i, ok := s.index[k]
	if !ok {
		i = len(s.Jobs)
		s.index[k] = i
		s.Jobs = append(s.Jobs, JobCounts{Plan: planName, Job: job})
	}
	return &s.Jobs[i]
}

// plan counts one more planned request of (plan, job).
func (s *Summary) plan(planName, job string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.job(planName, job).Planned++
	s.Total.Planned++
}

// add counts a final result.
func (s *Summary) add(r Result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.job(r.Plan, r.Job)
	switch r.Status {
	case request.Skipped:
		j.Skipped++
		s.Total.Skipped++
	case request.Triggered:
		j.Triggered++
		s.Total.Triggered++
	case request.Failed:
		j.Failed++
		s.Total.Failed++
		if len(s.Failures) < MaxKeptFailures {
			s.Failures = append(s.Failures, r)
		}
		s.countCode(r)
	}
}
