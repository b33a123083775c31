package session

import (
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan/request"
	"github.com/planrun/planrun/report/grid"
	"github.com/planrun/planrun/state"
)

var gridZone = time.FixedZone("", 8*3600)

func TestGridStateOf(t *testing.T) {
	for _, tc := range []struct {
		status request.Status
		job    string
		want   grid.GridState
	}{
		{request.Planned, "", grid.GridNotSent},
		{request.Sending, "", grid.GridNotSent},
		{request.Failed, "", grid.GridFailed},
		{request.Triggered, "", grid.GridTriggered},
		{request.Triggered, ciapi.StateSubmitted, grid.GridTriggered},
		{request.Skipped, ciapi.StateRunning, grid.GridRunning},
		{request.Triggered, ciapi.StatePause, grid.GridRunning},
		{request.Triggered, ciapi.StateSuccess, grid.GridSuccess},
		{request.Skipped, ciapi.StateFailed, grid.GridFailed},
		{request.Triggered, executor.StateNotFound, grid.GridFailed},
		{request.Triggered, ciapi.StateCancel, grid.GridCancelled},
	} {
		if got := GridStateOf(tc.status, tc.job); got != tc.want {
			t.Errorf("GridStateOf(%q, %q) = %v, want %v", tc.status, tc.job, got, tc.want)
		}
	}
}

func TestGridFromRecords(t *testing.T) {
	recs := []state.Record{
		{Key: request.Key{Plan: "p", Job: "j", Name: "p-j-0", InputKind: "Prefix", Input: "in/", Workflow: "w1",
			Start: time.Date(2024, 1, 1, 0, 0, 0, 0, gridZone), End: time.Date(2024, 1, 2, 0, 0, 0, 0, gridZone)},
			Status: request.Triggered, JobID: "i1", JobState: ciapi.StateFailed, ErrorCode: "E", ErrorMessage: "m"},
		{Key: request.Key{Plan: "p", Job: "j", Name: "p-j-1", InputKind: "Object", Input: "a.mp4"}, Status: request.Planned},
	}
	g, err := GridFromRecords(func(yield func(state.Record, error) bool) {
		for _, r := range recs {
			if !yield(r, nil) {
				return
			}
		}
	}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if g.Len() != 2 {
		t.Fatalf("%d requests, want 2", g.Len())
	}
	c := GridCellFromRecord(recs[0])
	if c.State != grid.GridFailed || c.Code != "E" || c.JobID != "i1" || !c.Start.Equal(time.Date(2024, 1, 1, 0, 0, 0, 0, gridZone)) ||
		c.End.Sub(c.Start) != 24*time.Hour {
		t.Errorf("cell from record: %+v", c)
	}
	if c := GridCellFromRecord(recs[1]); !c.Start.IsZero() || !c.End.IsZero() || c.State != grid.GridNotSent || c.Name != "p-j-1" {
		t.Errorf("request without a window: %+v", c)
	}
	if len(g.Plans) != 1 || g.Plans[0] != "p" {
		t.Errorf("plans %v", g.Plans)
	}
}
