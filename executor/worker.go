package executor

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/pace"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
)

// task is one pending request handed to a worker.
type task struct {
	req        plan.Request
	lookup     bool           // look the Name up before the first create (fresh state, small set)
	prevStatus request.Status // the row status before this run's intent, restored if never sent
	// aside holds where the request stood when it was set aside to settle (see settleAside);
	// nil until then.
	aside *asideState
}

// asideState is what a request set aside to settle carries to its resumption.
type asideState struct {
	creates, attempts int
	lastErr           error
	sentAt            time.Time // when its last create (with no answer) gave up waiting
}

// work runs one request to its end: triggered, skipped (found by lookup), failed, or left
// planned when stop ends first. It returns errStopped only for a fail-fast failure.
//
// A create is done only when the service shows its job: an answer with its id, or a
// lookup that finds it. A 2xx without a job id is an uncertain outcome, never a success.
// The create is tried at most Retries+1 times; before a create is sent again after an
// uncertain one, the Name is looked up (after SettleDelay when no answer came at all: the
// service may still be making the job). When no answer came and that lookup does not find
// the job, the request is set aside (its row stays "sending"): settleAside resumes it once
// SettleWindow has passed, with one more lookup before any create. Each lookup is a paged
// list whose pages are retried on their own (by the layer, see pace.Layer).
func (r *runner) work(stop context.Context, pr *planRun, t *task) error {
	r.meter.inFlight.Add(1)
	defer r.meter.inFlight.Add(-1)
	req := &t.req
	res := resultFor(req, request.Failed)
	row := recordFor(req, request.Failed)
	needLookup, initialLookup := t.lookup, t.lookup
	sent := false
	// maybe is true while a create of this run may have created the job unseen (its answer
	// was lost or unreadable) and no lookup has shown otherwise since.
	maybe := false
	settle := false // wait SettleDelay before the next lookup
	// setAside: a miss of the next lookup sets the request aside to settle (the create had
	// no answer, so the service may still be making the job).
	setAside := false
	var sentAt time.Time
	backoffDue := true
	var saturatedSince time.Time // when the queue first answered full to this request
	var lastErr error
	creates := 0
	if a := t.aside; a != nil { // resumed after the settle window: look up, then maybe send
		needLookup, initialLookup, sent, maybe, backoffDue = true, false, true, true, false
		creates, res.Attempts, lastErr = a.creates, a.attempts, a.lastErr
		t.aside = nil
	}
	for {
		if stop.Err() != nil {
			r.abandon(t, sent)
			return nil
		}
		if needLookup {
			if settle {
				settle = false
				if err := r.pause(stop, r.o.SettleDelay); err != nil {
					r.abandon(t, sent)
					return nil
				}
			}
			d, err := r.findByName(stop, req.Bucket, req.Region, req.Type, req.Name)
			switch {
			case err == nil:
				r.lookedUp(pr, &initialLookup)
				return r.finish(t, res, row, d, sent, initialLookupStatus(sent))
			case errors.Is(err, ciapi.ErrNotFound):
				r.lookedUp(pr, &initialLookup)
				if setAside {
					r.setAside(pr, t, &asideState{creates: creates, attempts: res.Attempts, lastErr: lastErr, sentAt: sentAt})
					return nil
				}
				needLookup, maybe = false, false
			case stop.Err() != nil:
				r.abandon(t, sent)
				return nil
			default:
				return r.fail(t, res, row, err, maybe)
			}
		}
		if creates > r.o.Retries {
			return r.fail(t, res, row, lastErr, maybe)
		}
		if creates > 0 && backoffDue {
			r.o.Logger.Debug("retrying request", "name", req.Name, "tries", creates, "error", lastErr)
			if err := r.sleep(stop, creates, ciapi.RetryAfterOf(lastErr)); err != nil {
				r.abandon(t, sent)
				return nil
			}
		}
		backoffDue = true
		if err := r.queueGate(stop); err != nil {
			r.abandon(t, sent)
			return nil
		}
		creates++
		// A create in flight finishes even when stop ends: the layer sends it on a context
		// that is not cancelled with stop, bounded by the request timeout.
		resp, err := r.api.Create(stop, req.Bucket, req.Region, CreateRequest(req))
		called := !errors.Is(err, pace.ErrNotSent)
		if called {
			sent = true
			res.Attempts++
		}
		sentAt = r.o.Now()
		if err == nil && resp != nil && resp.JobsDetail != nil && resp.JobsDetail.JobId != "" {
			r.queueDrained()
			res.RequestID, row.RequestID = resp.RequestId, resp.RequestId
			return r.finish(t, res, row, resp.JobsDetail, sent, request.Triggered)
		}
		if err == nil {
			// A 2xx that does not show the job (an API that is not the client may answer
			// so): uncertain, like the client's own error for it.
			err = &ciapi.APIError{Op: "create", Status: http.StatusOK, Err: errNoJobID, Sent: true}
		}
		if !called { // stopped before this create went out
			r.abandon(t, sent)
			return nil
		}
		lastErr = err
		if ciapi.IsQueueSaturated(err) {
			// Back-pressure, not a failed try: every worker waits (see queueGate), then the
			// create is sent again, for up to QueueWait.
			creates, backoffDue = creates-1, false
			now := r.o.Now()
			if saturatedSince.IsZero() {
				saturatedSince = now
			} else if now.Sub(saturatedSince) > r.o.QueueWait {
				return r.fail(t, res, row, err, maybe)
			}
			r.queueSaturated(err)
			continue
		}
		switch {
		case r.stopsRun(err):
			return r.fail(t, res, row, err, maybe)
		case ciapi.IsUncertain(err):
			needLookup, maybe, settle = true, true, unanswered(err)
			setAside = settle
		case !retryable(err):
			return r.fail(t, res, row, err, maybe)
		}
	}
}

// errNoJobID is the error of a create answered with a success that names no job.
var errNoJobID = errors.New("the answer names no job id")

// unanswered reports whether an uncertain create got no answer from the service itself
// (a timeout, a dropped connection, a gateway's 502 or 504), or an answer that does not
// show the job (a 2xx without a job id: it may be a refusal in disguise, or the job may
// still be in the making), so that the service may still be making the job: its lookup
// waits SettleDelay, and a miss sets the request aside to settle before any resend.
func unanswered(err error) bool {
	var ae *ciapi.APIError
	if !errors.As(err, &ae) {
		return true
	}
	return ae.Status == 0 || ae.Status/100 == 2 || ae.Status == http.StatusBadGateway || ae.Status == http.StatusGatewayTimeout
}

// initialLookupStatus is the status of a request whose job a lookup found: triggered if
// this run sent a create (an uncertain one), skipped if it existed before.
func initialLookupStatus(sent bool) request.Status {
	if sent {
		return request.Triggered
	}
	return request.Skipped
}

// lookedUp counts the first lookup of a lookup-mode request as done.
func (r *runner) lookedUp(pr *planRun, initial *bool) {
	if *initial {
		*initial = false
		pr.lookups.Add(-1)
	}
}

// finish reports a request whose job exists (created now, or found).
func (r *runner) finish(t *task, res Result, row Record, d *ciapi.JobDetail, sent bool, status request.Status) error {
	res.Status, res.JobID, res.JobState = status, d.JobId, d.State
	row.Status = request.Triggered
	if status == request.Skipped {
		row.Status, res.Reason = request.Skipped, "service"
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
	if r.stopsRun(err) {
		// Not this request's failure: the service refused planrun's configuration (or its
		// queue is paused, or it cannot be reached), the run stops (abort) and the request
		// is left not done, as the ones never started. Those answers are certain refusals:
		// the row stays "sending" only when an earlier create of this run may have made it.
		r.abort(err)
		r.abandon(t, maybe)
		return nil
	}
	res.Status, res.Err = request.Failed, err
	res.Code, res.Message, res.RequestID = errInfo(err)
	row.Status, row.Attempts = request.Failed, res.Attempts
	if maybe {
		row.Status = request.Sending
	}
	row.ErrorCode, row.ErrorMessage, row.RequestID = res.Code, res.Message, res.RequestID
	r.emit(res, &row)
	r.spendBudget()
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
		row.Status = request.Sending
	}
	r.emit(resultFor(&t.req, request.Planned), &row)
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
