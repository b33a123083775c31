package session

import (
	"context"
	"errors"
	"fmt"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/executor/follow"
	"github.com/planrun/planrun/objects"
	"github.com/planrun/planrun/pace"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
	"github.com/planrun/planrun/report/progress"
	"github.com/planrun/planrun/report/results"
)

// Converged is what the loop of run --wait --max-attempts N ended with.
type Converged = results.Converged

// examplesPerCode is how many failed objects of each code the summary names.
const examplesPerCode = 3

// converge is the loop of run --wait --max-attempts N: it reads the latest attempt of
// every object of the run's batch jobs, retries the failed ones in bulk (as planrun retry
// does: URL files by default, exactly once), waits for those retry batch jobs, and reads
// again, until every object succeeded or was tried N times. Each step is recorded before
// it is sent and named deterministically, so a crash anywhere, then the same command,
// continues where it stopped, and the command run once more sends nothing.
func (s *Session) converge(ctx context.Context, x *execution, api *executor.Counted, prog *progress.Progress) (*Converged, error) {
	o := x.o
	read := s.Options(x.log, x.sel.Filter())
	run := s.Options(x.log, func(r *plan.Request) bool { return x.sel.Shard.Contains(r.Name) })
	run.PollInterval, run.SettleWindow, run.Progress, run.OnWaitRound = o.PollInterval, o.SettleWindow, prog.Update, prog.WaitRound
	cfg := objects.RetryConfig{MaxAttempts: o.MaxAttempts, Via: o.Via, ListPrefix: o.ListPrefix, Lean: true, MaxRequests: o.MaxRequests}
	c := &Converged{MaxAttempts: o.MaxAttempts}
	sent := 0 // retry rounds run (sent now, or found sent before)
	for {
		if err := s.rerunFailedBatchJobs(ctx, x, api, read, run, prog); err != nil {
			return c, err
		}
		jobs, _, err := objects.ResultBatchJobs(ctx, api, x.store, x.plans, read)
		if err != nil {
			return c, fmt.Errorf("read results: %w", err)
		}
		stop := readProgress(s.IO.Console(), api, "reading the results", prog == nil)
		set, err := objects.RetriesVia(ctx, api, x.store, x.plans, jobs, cfg, read)
		stop()
		if err != nil {
			return c, err
		}
		s.saveCounts(ctx, x.store, set.Counts, true)
		take(c, set, 1+sent)
		switch {
		case o.MaxAttempts == 1 || (set.Retrying == 0 && set.Unfinished == 0):
			return c, nil
		case set.Retrying == 0:
			// Retries sent before (a crash, another machine) still run: let them end.
			if err := pace.Sleep(ctx, o.PollInterval); err != nil {
				return c, err
			}
			continue
		case sent >= 2*o.MaxAttempts: // a guard: each round moves objects to their next attempt
			return c, fmt.Errorf("objects still to retry after %d rounds", sent)
		}
		sent++
		prog.StartWait(fmt.Sprintf("retrying %d failed objects (at most %d attempts an object)", set.Retrying, o.MaxAttempts))
		sum, err := executor.Run(ctx, api, x.store, set.Plans, run)
		prog.Done()
		if sum != nil && sum.Total.Triggered > 0 {
			c.Rounds++ // a round sent before (then stopped) is only followed
		}
		if err == nil && sum != nil && sum.Total.Failed > 0 {
			err = fmt.Errorf("%d retry batch jobs could not be created", sum.Total.Failed)
		}
		if err == nil {
			_, err = follow.Wait(ctx, api, x.store, set.Plans, run)
		}
		prog.StopWait()
		if err != nil {
			return c, fmt.Errorf("retry round %d: %w", sent, err)
		}
	}
}

// rerunFailedBatchJobs sends again, as run --rerun failed,cancelled does (a new attempt of
// the request, named <name>-a<N>, exactly once), the run's batch jobs that ended Failed,
// or Cancel by the service (or the console), up to attempt o.MaxAttempts of each request,
// and waits for them. A batch job that planrun cancel cancelled (the state records it
// before the cancel is sent, see state.Store.PutUserCancels) is left alone: the user's
// cancel stands, and only run --rerun cancelled sends it again.
func (s *Session) rerunFailedBatchJobs(ctx context.Context, x *execution, api executor.API, read, run executor.Options, prog *progress.Progress) error {
	if x.o.MaxAttempts < 2 {
		return nil // one attempt: run --wait as it always was, no lookups
	}
	spare, done := x.store.UserCancelledLookup()
	defer done()
	sel := executor.Rerun{Failed: true, Cancelled: true, Spare: spare}
	set, err := executor.Reruns(ctx, api, x.store, x.plans, sel, true, read)
	if err != nil {
		return fmt.Errorf("re-run failed batch jobs: %w", err)
	}
	if set.Again == 0 {
		return nil
	}
	plans := make([]*plan.Plan, len(set.Plans))
	for i, p := range set.Plans {
		plans[i] = plan.WithRequests(p, func(yield func(plan.Request) bool) {
			for r := range p.Requests() {
				if _, n := request.SplitAttempt(r.Name); n <= x.o.MaxAttempts && !yield(r) {
					return
				}
			}
		})
	}
	prog.StartWait(fmt.Sprintf("re-running batch jobs that ended Failed or were cancelled by the service (at most %d attempts a request)", x.o.MaxAttempts))
	sum, err := executor.Run(ctx, api, x.store, plans, run)
	prog.Done()
	if err == nil && sum != nil && sum.Total.Triggered > 0 {
		_, err = follow.Wait(ctx, api, x.store, plans, run)
	}
	prog.StopWait()
	if err != nil {
		return fmt.Errorf("re-run failed batch jobs: %w", err)
	}
	return nil
}

// take counts in c the objects of set, read after attempt (at least) attempts.
func take(c *Converged, set *objects.RetrySet, attempts int) {
	c.Objects, c.Succeeded, c.Failed, c.Running, c.Other = 0, 0, 0, 0, 0
	c.ByCode, c.Examples = map[string]int{}, map[string][]string{}
	for i := range set.Counts {
		n := &set.Counts[i]
		c.Objects += n.Objects
		c.Succeeded += n.Succeeded
		c.Running += n.Running
		c.Other += n.Other
	}
	c.Failed = set.Failed
	if set.Unknown > 0 {
		c.ByCode["(retry round unreadable)"] += set.Unknown
	}
	c.Attempts = max(c.Attempts, attempts)
	for code, n := range set.ExhaustedByCode {
		c.ByCode[code] += n
	}
	for i := range set.Exhausted { // the first MaxKeptExhausted: examples
		r := &set.Exhausted[i]
		code := r.FailureCode()
		if len(c.Examples[code]) < examplesPerCode {
			c.Examples[code] = append(c.Examples[code], r.Object)
		}
		c.Attempts = max(c.Attempts, r.Round)
	}
	if left := c.Failed - set.ExhaustedCount - set.Unknown; left > 0 {
		c.ByCode["(not retried)"] += left
	}
}

// convergeError says why the loop stopped, as run's outcome does.
func convergeError(err error) error {
	switch {
	case errors.Is(err, plan.ErrListPrefix):
		return UsageError{fmt.Errorf("--list-prefix: %w", err)}
	case errors.Is(err, objects.ErrListRefused), errors.Is(err, executor.ErrTooManyRequests):
		return fmt.Errorf("retry: %w", err)
	}
	return err
}

// writeConverged writes the object summary after the run's summary: on stdout after a
// text summary, else on stderr. With one attempt and failed objects, it names the retry.
func (s *Session) writeConverged(c *Converged, totals *results.ObjectTotals) error {
	if totals != nil {
		c.Failed = totals.Failed
	}
	if c.MaxAttempts == 1 {
		c.Next = s.Next().Retry
	}
	w := s.IO.Stdout
	if s.Out.Format != "text" {
		w = s.IO.Stderr
	}
	return results.WriteConverged(w, c, totals != nil, s.IO.Color() && s.Out.Format == "text")
}
