package emulator

import (
	"net/http"
	"sync"
	"testing"
	"time"
)

// faultClient is a client without keep-alive, so a dropped connection is never retried by
// the transport.
func faultClient(t *testing.T, rn *Running) *client {
	c := newClient(t, rn)
	tr := rn.Transport()
	tr.DisableKeepAlives = true
	c.hc = &http.Client{Transport: tr}
	return c
}

// tryCreate sends one create and reports the status, or 0 and the error when the
// connection was dropped.
func tryCreate(c *client, name string) (int, http.Header, error) {
	resp, err := c.hc.Do(c.sign(c.request(http.MethodPost, "/inventorytriggerjob", mustXML(c.t, workflowJob(name, "p/")))))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	return resp.StatusCode, resp.Header, nil
}

func TestFaultsBeforeAnything(t *testing.T) {
	rn := start(t, Options{Seed: 3})
	c := faultClient(t, rn)
	tests := []struct {
		faults     Faults
		status     int
		kind       string
		retryAfter string
	}{
		{Faults{ErrorRate: 1}, http.StatusInternalServerError, FaultError, ""},
		{Faults{ResetRate: 1}, 0, FaultReset, ""},
		{Faults{TooManyRate: 1}, http.StatusTooManyRequests, FaultTooMany, "1"},
		{Faults{TooManyRate: 1, RetryAfter: "0"}, http.StatusTooManyRequests, FaultTooMany, "0"},
	}
	for _, tt := range tests {
		rn.Server.SetFaults(tt.faults)
		before := rn.Server.Stats().Faults[tt.kind]
		status, h, err := tryCreate(c, "x")
		if status != tt.status || (status == 0) != (err != nil) {
			t.Errorf("%+v: status %d err %v", tt.faults, status, err)
		}
		if h.Get("Retry-After") != tt.retryAfter {
			t.Errorf("%+v: Retry-After %q", tt.faults, h.Get("Retry-After"))
		}
		if got := rn.Server.Stats().Faults[tt.kind]; got != before+1 {
			t.Errorf("%+v: %s count %d -> %d", tt.faults, tt.kind, before, got)
		}
	}
	if n := len(rn.Server.Jobs()); n != 0 {
		t.Errorf("%d jobs created by faulted requests", n)
	}
	rn.Server.SetFaults(Faults{})
	if status, _, err := tryCreate(c, "x"); status != http.StatusOK {
		t.Errorf("faults cleared: %d %v", status, err)
	}
	st := rn.Server.Stats()
	if st.Calls[OpCreate] != 5 || st.OK[OpCreate] != 1 || len(st.CreateStarts) != 5 || st.InFlight != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestUncertainCreates(t *testing.T) {
	rn := start(t, Options{Seed: 11, Faults: Faults{UncertainRate: 1}})
	c := faultClient(t, rn)
	const n = 30
	for range n {
		status, _, err := tryCreate(c, "uncertain")
		if !(status == http.StatusInternalServerError || status == 0 && err != nil) {
			t.Errorf("status %d err %v", status, err)
		}
	}
	st := rn.Server.Stats()
	if len(rn.Server.Jobs()) != n || st.JobsCreated != n {
		t.Errorf("%d jobs held, %d created; want %d", len(rn.Server.Jobs()), st.JobsCreated, n)
	}
	if st.Faults[FaultUncertain500] == 0 || st.Faults[FaultUncertainReset] == 0 ||
		st.Faults[FaultUncertain500]+st.Faults[FaultUncertainReset] != n {
		t.Errorf("faults %v", st.Faults)
	}
}

func TestQPSLimit(t *testing.T) {
	rn := start(t, Options{Faults: Faults{QPS: 3}})
	c := faultClient(t, rn)
	var ok, slow int
	for range 8 {
		status, h, body := c.do(c.sign(c.request(http.MethodGet, "/inventorytriggerjob", nil)))
		switch status {
		case http.StatusOK:
			ok++
		case http.StatusServiceUnavailable:
			slow++
			if e := decodeErr(t, status, status, h, body); e.Code != "SlowDown" || h.Get("Retry-After") != "1" {
				t.Errorf("%s Retry-After %q", e.Code, h.Get("Retry-After"))
			}
		default:
			t.Errorf("status %d", status)
		}
	}
	// The requests above take far less than a second; allow one window rollover.
	if ok < 3 || ok > 6 || ok+slow != 8 || rn.Server.Stats().Faults[FaultSlowDown] != slow {
		t.Errorf("ok %d slowdown %d", ok, slow)
	}
}

func TestLatencyAndInFlight(t *testing.T) {
	rn := start(t, Options{Faults: Faults{Latency: 150 * time.Millisecond}})
	c := newClient(t, rn)
	const n = 4
	var wg sync.WaitGroup
	began := time.Now()
	for range n {
		wg.Go(func() {
			req := c.sign(c.request(http.MethodGet, "/inventorytriggerjob", nil))
			resp, err := c.hc.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
		})
	}
	wg.Wait()
	if d := time.Since(began); d < 150*time.Millisecond {
		t.Errorf("took %v, below the latency", d)
	}
	if st := rn.Server.Stats(); st.MaxInFlight != n || st.InFlight != 0 || st.OK[OpList] != n {
		t.Errorf("stats %+v", st)
	}
}

// A slow create (CreateDelay) is finished even after the client gave up waiting.
func TestSlowCreateFinishesAfterTheClientLeft(t *testing.T) {
	rn := start(t, Options{Faults: Faults{CreateDelay: 300 * time.Millisecond}})
	c := faultClient(t, rn)
	c.hc.Timeout = 50 * time.Millisecond
	if status, _, err := tryCreate(c, "slow"); err == nil {
		t.Fatalf("create answered %d before the client's timeout", status)
	}
	for deadline := time.Now().Add(5 * time.Second); len(rn.Server.Jobs()) == 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if jobs := rn.Server.Jobs(); len(jobs) != 1 || jobs[0].Name != "slow" {
		t.Fatalf("jobs %+v: the create must finish after the client left", jobs)
	}
}

// The queue answers: a paused queue refuses every create; a full one (QueueLimit
// unfinished jobs in the bucket) refuses until a job finishes; an empty answer still
// creates.
func TestQueueAnswersAndEmptyCreates(t *testing.T) {
	rn := start(t, Options{QueueLimit: 1, SubmittedFor: time.Hour})
	c := faultClient(t, rn)
	rn.Server.SetFaults(Faults{QueuePaused: true})
	if status, _, _ := tryCreate(c, "a"); status != http.StatusForbidden || len(rn.Server.Jobs()) != 0 {
		t.Fatalf("paused queue: status %d, %d jobs", status, len(rn.Server.Jobs()))
	}
	rn.Server.SetFaults(Faults{EmptyAnswerRate: 1})
	if status, _, _ := tryCreate(c, "a"); status != http.StatusOK || len(rn.Server.Jobs()) != 1 {
		t.Fatalf("empty answer: status %d, %d jobs", status, len(rn.Server.Jobs()))
	}
	rn.Server.SetFaults(Faults{})
	if status, _, _ := tryCreate(c, "b"); status != http.StatusForbidden || rn.Server.Stats().Faults[FaultQueueSaturated] != 1 {
		t.Fatalf("full queue: status %d, faults %v", status, rn.Server.Stats().Faults)
	}
}
