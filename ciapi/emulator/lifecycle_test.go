package emulator

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
)

func TestLifecycleOnClock(t *testing.T) {
	clock := newFakeClock()
	rn := start(t, Options{Clock: clock.Now, SubmittedFor: time.Minute, RunningFor: 2 * time.Minute})
	c := newClient(t, rn)
	c.now = clock.Now
	id := c.create(workflowJob("life", "p/")).JobId
	cst := time.FixedZone("", 8*3600)
	fmtAt := func(d time.Duration) string {
		return time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC).Add(d).In(cst).Format(ciapi.TimeFormat)
	}
	steps := []struct {
		advance                   time.Duration
		state, startTime, endTime string
	}{
		{0, ciapi.StateSubmitted, "-", "-"},
		{59 * time.Second, ciapi.StateSubmitted, "-", "-"},
		{time.Second, ciapi.StateRunning, fmtAt(time.Minute), "-"},
		{2 * time.Minute, ciapi.StateSuccess, fmtAt(time.Minute), fmtAt(3 * time.Minute)},
		{time.Hour, ciapi.StateSuccess, fmtAt(time.Minute), fmtAt(3 * time.Minute)},
	}
	for i, st := range steps {
		clock.Advance(st.advance)
		d := c.describe(id).JobsDetail
		if d.State != st.state || d.StartTime != st.startTime || d.EndTime != st.endTime || d.Code != "Success" ||
			d.CreationTime != "2024-03-01T20:00:00+0800" {
			t.Errorf("step %d: %s %s %s %s created %s", i, d.State, d.StartTime, d.EndTime, d.Code, d.CreationTime)
		}
	}
	// A finished job cannot be cancelled.
	e := c.apiErr(http.StatusBadRequest, http.MethodPut, "/inventorytriggerjob/"+id+"?cancel", nil)
	if e.Code != "InvalidArgument" || !strings.Contains(e.Message, "job already finished") {
		t.Errorf("cancel finished: %s %q", e.Code, e.Message)
	}
}

func TestFailRateDeterministic(t *testing.T) {
	run := func(seed int64, rate float64) (failed int, failedIDs string) {
		rn := start(t, Options{Seed: seed, FailRate: rate})
		c := newClient(t, rn)
		for i := range 40 {
			d := c.create(workflowJob(fmt.Sprintf("f%d", i), "p/"))
			got := c.describe(d.JobId).JobsDetail
			if got.State == ciapi.StateFailed {
				failed++
				failedIDs += got.JobId + ","
				if got.Code == "Success" || got.Message == "" || got.EndTime == "-" {
					t.Errorf("failed job detail %+v", got)
				}
			} else if got.State != ciapi.StateSuccess {
				t.Errorf("state %s", got.State)
			}
		}
		return failed, failedIDs
	}
	if n, _ := run(1, 1); n != 40 {
		t.Errorf("FailRate 1: %d failed", n)
	}
	if n, _ := run(1, 0); n != 0 {
		t.Errorf("FailRate 0: %d failed", n)
	}
	n1, ids1 := run(7, 0.5)
	n2, ids2 := run(7, 0.5)
	if n1 < 8 || n1 > 32 || ids1 != ids2 || n1 != n2 {
		t.Errorf("FailRate 0.5, seed 7: %d and %d failed, same jobs %v", n1, n2, ids1 == ids2)
	}
}

func TestCancelForms(t *testing.T) {
	clock := newFakeClock()
	rn := start(t, Options{Clock: clock.Now, SubmittedFor: time.Minute, RunningFor: time.Minute})
	c := newClient(t, rn)
	c.now = clock.Now
	running := c.create(workflowJob("c1", "p/")).JobId
	clock.Advance(90 * time.Second)
	submitted := c.create(workflowJob("c2", "p/")).JobId
	other := c.create(workflowJob("c3", "p/")).JobId
	// With ?cancel (the docs; the Python SDK leaves it unsigned) and without (the Go SDK).
	for _, target := range []string{"/inventorytriggerjob/" + running, "/inventorytriggerjob/" + other + "?cancel"} {
		status, h, body := c.call(http.MethodPut, target, nil)
		if status != http.StatusOK || len(body) != 0 || h.Get("Content-Length") != "0" {
			t.Errorf("cancel %s: %d %q", target, status, body)
		}
	}
	req := c.sign(c.request(http.MethodPut, "/inventorytriggerjob/"+submitted, nil))
	req.URL.RawQuery = "cancel"
	if status, _, body := c.do(req); status != http.StatusOK {
		t.Errorf("unsigned ?cancel: %d %s", status, body)
	}
	clock.Advance(time.Hour)
	for id, started := range map[string]bool{running: true, other: false, submitted: false} {
		d := c.describe(id).JobsDetail
		if d.State != ciapi.StateCancel || (d.StartTime != "-") != started || d.EndTime == "-" {
			t.Errorf("%s: %s start %s end %s", id, d.State, d.StartTime, d.EndTime)
		}
	}
	e := c.apiErr(http.StatusNotFound, http.MethodPut, "/inventorytriggerjob/b00000000000000000000000000000000?cancel", nil)
	if e.Code != "NoSuchJob" {
		t.Errorf("cancel unknown: %s", e.Code)
	}
}

func TestOtherBucketIsNotFound(t *testing.T) {
	rn := start(t, Options{SubmittedFor: time.Hour})
	c := newClient(t, rn)
	id := c.create(workflowJob("mine", "p/")).JobId
	for _, host := range []string{"otherbucket-1250000000.ci.ap-beijing.myqcloud.com", "examplebucket-1250000000.ci.ap-shanghai.myqcloud.com"} {
		o := newClient(t, rn)
		o.host = host
		if got := o.describe(id); got.JobsDetail != nil || got.NonExistJobIds != id {
			t.Errorf("%s: describe %+v", host, got)
		}
		if e := o.apiErr(http.StatusNotFound, http.MethodPut, "/inventorytriggerjob/"+id, nil); e.Code != "NoSuchJob" {
			t.Errorf("%s: cancel %s", host, e.Code)
		}
		if got := o.list(nil); len(got.JobsDetail) != 0 {
			t.Errorf("%s: list %s", host, names(got))
		}
	}
	if got := c.describe(id); got.JobsDetail == nil || got.JobsDetail.State != ciapi.StateSubmitted {
		t.Errorf("own bucket: %+v", got)
	}
}
