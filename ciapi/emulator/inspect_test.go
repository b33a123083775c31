package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
)

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

func TestInspectionEndpoints(t *testing.T) {
	rn := start(t, Options{SubmittedFor: time.Hour})
	c := newClient(t, rn)
	w := workflowJob("seen", "input/")
	w.Operation.TimeInterval = &ciapi.TimeInterval{Start: "2024-01-01T00:00:00+0800", End: "2024-01-02T00:00:00+0800"}
	d := c.create(w)
	c.create(transcodeJob())

	// No signature, and the loopback host directly.
	var jobs []map[string]any
	getJSON(t, rn.URL+"/_emulator/jobs", &jobs)
	if len(jobs) != 2 {
		t.Fatalf("jobs %v", jobs)
	}
	j := jobs[0]
	want := map[string]any{"bucket": "examplebucket-1250000000", "region": "ap-beijing", "id": d.JobId, "name": "seen",
		"type": "Workflow", "state": "Submitted", "workflowId": testWorkflow,
		"input":        map[string]any{"prefix": "input/"},
		"timeInterval": map[string]any{"start": "2024-01-01T00:00:00+0800", "end": "2024-01-02T00:00:00+0800"}}
	for k, v := range want {
		got, _ := json.Marshal(j[k])
		exp, _ := json.Marshal(v)
		if string(got) != string(exp) {
			t.Errorf("%s = %s, want %s", k, got, exp)
		}
	}
	if _, ok := j["creationTime"]; !ok {
		t.Errorf("no creationTime in %v", j)
	}
	if jobs[1]["type"] != "Job" || jobs[1]["tag"] != "Transcode" {
		t.Errorf("second job %v", jobs[1])
	}

	var st Stats
	getJSON(t, rn.URL+"/_emulator/stats", &st)
	if st.Calls[OpCreate] != 2 || st.OK[OpCreate] != 2 || st.JobsCreated != 2 || len(st.CreateStarts) != 2 {
		t.Errorf("stats %+v", st)
	}
	resp, err := http.Get(rn.URL + "/_emulator/nothing")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown endpoint: %d", resp.StatusCode)
	}
}

func TestListenAndServeStopsWithContext(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ListenAndServe(ctx, addr, New(Options{})) }()
	var resp *http.Response
	for range 50 {
		if resp, err = http.Get("http://" + addr + "/_emulator/stats"); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("ListenAndServe after cancel: %v", err)
	}
	// A busy address is an error.
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	var opErr *net.OpError
	if err := ListenAndServe(context.Background(), busy.Addr().String(), New(Options{})); !errors.As(err, &opErr) {
		t.Errorf("busy address: %v", err)
	}
}
