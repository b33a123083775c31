package executor

import (
	"context"
	"errors"
	"fmt"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/state"
)

// task is one pending request handed to a worker.
type task struct {
	req        plan.Request
	lookup     bool            // look the Name up before the first create (fresh state, small set)
	prevStatus state.RowStatus // the row status before this run's intent, restored if never sent
}

// work runs one request to its end: triggered, skipped (found by lookup), failed, or left
// planned when stop ends first. It returns errStopped only for a fail-fast failure.
func (r *runner) work(stop context.Context, pr *planRun, t *task) error {
	r.meter.inFlight.Add(1)
	defer r.meter.inFlight.Add(-1)
	req := &t.req
	res := resultFor(req, StatusFailed)
	row := recordFor(req, RowFailed)
	needLookup, initialLookup := t.lookup, t.lookup
	sent := false
	// maybe is true while a create of this run may have created the job unseen (its answer
	// was lost or unreadable) and no lookup has shown otherwise since.
	maybe := false
	var lastErr error
	for failures := 0; ; {
		if stop.Err() != nil {
			r.abandon(t, sent)
			return nil
		}
		if err := r.acquire(stop); err != nil {
			r.abandon(t, sent)
			return nil
		}
		if err := r.lim.Wait(stop); err != nil {
			r.release()
			r.abandon(t, sent)
			return nil
		}
		// Calls in flight finish even when stop ends: they run on a context that is not
		// cancelled with it, bounded by the request timeout.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(stop), r.o.RequestTimeout)
		if needLookup {
			d, err := r.api.FindByName(cctx, req.Bucket, req.Region, req.Type, req.Name)
			cancel()
			r.release()
			switch {
			case err == nil && d != nil && (d.Name == "" || d.Name == req.Name):
				r.lookedUp(pr, &initialLookup)
				return r.finish(t, res, row, d, sent, initialLookupStatus(sent))
			case err == nil || errors.Is(err, ciapi.ErrNotFound):
				r.lookedUp(pr, &initialLookup)
				needLookup, maybe = false, false
				continue
			}
			lastErr = err
			if !retryable(err) {
				return r.fail(t, res, row, err, maybe)
			}
		} else {
			sent = true
			res.Attempts++
			resp, err := r.api.Create(cctx, req.Bucket, req.Region, CreateRequest(req))
			cancel()
			r.release()
			if err == nil {
				var d *ciapi.JobDetail
				if resp != nil {
					d = resp.JobsDetail
					res.RequestID = resp.RequestId
					row.RequestID = resp.RequestId
				}
				if d == nil || d.JobId == "" {
					// A 2xx without a job id: we cannot tell; find it by Name.
					lastErr = fmt.Errorf("create %s: answer without a job id", req.Name)
					needLookup, maybe = true, true
				} else {
					return r.finish(t, res, row, d, sent, StatusTriggered)
				}
			} else {
				lastErr = err
				needLookup = ciapi.IsUncertain(err)
				maybe = maybe || needLookup
			}
		}
		retry := needLookup || retryable(lastErr)
		if retry {
			failures++
		}
		if !retry || failures > r.o.Retries {
			return r.fail(t, res, row, lastErr, maybe)
		}
		r.o.Logger.Debug("retrying request", "name", req.Name, "failures", failures, "lookup_next", needLookup, "error", lastErr)
		if err := r.sleep(stop, failures, ciapi.RetryAfterOf(lastErr)); err != nil {
			r.abandon(t, sent)
			return nil
		}
	}
}

// initialLookupStatus is the status of a request whose job a lookup found: triggered if
// this run sent a create (an uncertain one), skipped if it existed before.
func initialLookupStatus(sent bool) Outcome {
	if sent {
		return StatusTriggered
	}
	return StatusSkipped
}

// lookedUp counts the first lookup of a lookup-mode request as done.
func (r *runner) lookedUp(pr *planRun, initial *bool) {
	if *initial {
		*initial = false
		pr.lookups.Add(-1)
	}
}

// finish reports a request whose job exists (created now, or found).
func (r *runner) finish(t *task, res Result, row Record, d *ciapi.JobDetail, sent bool, status Outcome) error {
	res.Status, res.JobID, res.JobState = status, d.JobId, d.State
	row.Status = RowTriggered
	if status == StatusSkipped {
		row.Status, res.Reason = RowSkipped, "service"
	}
	row.JobID, row.JobState, row.JobCreated, row.Attempts = d.JobId, d.State, d.CreationTime, res.Attempts
	if d.State == ciapi.StateFailed { // a found job that already failed: keep its error, as refresh does
		row.ErrorCode, row.ErrorMessage = d.Code, d.Message
	}
	r.emit(res, &row)
	return nil
}

// fail reports a request that failed permanently or ran out of retries. When a create of
// this run may still have created the job (maybe), the row stays "sending": the outcome is
// unknown, and the next run waits for it to settle and reconciles it (see settleWait).
func (r *runner) fail(t *task, res Result, row Record, err error, maybe bool) error {
	if ciapi.IsConfigError(err) {
		// Not this request's failure: the service refused planrun's configuration, the run
		// stops (abort) and the request is left not done, as the ones never started.
		r.abort(err)
		r.abandon(t, maybe || res.Attempts > 0)
		return nil
	}
	res.Status, res.Err = StatusFailed, err
	res.Code, res.Message, res.RequestID = errInfo(err)
	row.Status, row.Attempts = RowFailed, res.Attempts
	if maybe {
		row.Status = RowSending
	}
	row.ErrorCode, row.ErrorMessage, row.RequestID = res.Code, res.Message, res.RequestID
	r.emit(res, &row)
	if r.o.FailFast {
		return errStopped
	}
	return nil
}

// abandon reports a request left undone by an interruption. A request never sent gets its
// previous row status back; one that was sent stays "sending", to be reconciled next run.
func (r *runner) abandon(t *task, sent bool) {
	row := recordFor(&t.req, t.prevStatus)
	if sent {
		row.Status = RowSending
	}
	r.emit(resultFor(&t.req, StatusPlanned), &row)
}

// errInfo extracts the service's Code, Message and RequestId from err.
func errInfo(err error) (code, message, requestID string) {
	var ae *ciapi.APIError
	if errors.As(err, &ae) {
		message = ae.Message
		if message == "" {
			message = err.Error()
		}
		return ae.Code, message, ae.RequestID
	}
	if err != nil {
		message = err.Error()
	}
	return "", message, ""
}
