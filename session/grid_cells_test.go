package session

import (
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/report/grid"
	"github.com/planrun/planrun/state"
)

var gridZone = time.FixedZone("", 8*3600)

func TestGridStateOf(t *testing.T) {
	for _, tc := range []struct {
		status, job string
		want        grid.GridState
	}{
		{string(executor.RowPlanned), "", grid.GridNotSent},
		{string(executor.RowSending), "", grid.GridNotSent},
		{string(executor.RowFailed), "", grid.GridFailed},
		{string(executor.RowTriggered), "", grid.GridTriggered},
		{string(executor.RowTriggered), ciapi.StateSubmitted, grid.GridTriggered},
		{string(executor.RowSkipped), ciapi.StateRunning, grid.GridRunning},
		{string(executor.RowTriggered), ciapi.StatePause, grid.GridRunning},
		{string(executor.RowTriggered), ciapi.StateSuccess, grid.GridSuccess},
		{string(executor.RowSkipped), ciapi.StateFailed, grid.GridFailed},
		{string(executor.RowTriggered), executor.StateNotFound, grid.GridFailed},
		{string(executor.RowTriggered), ciapi.StateCancel, grid.GridCancelled},
		{string(executor.StatusPlanned), "", grid.GridNotSent},
		{string(executor.StatusFailed), "", grid.GridFailed},
	} {
		if got := GridStateOf(tc.status, tc.job); got != tc.want {
			t.Errorf("GridStateOf(%q, %q) = %v, want %v", tc.status, tc.job, got, tc.want)
		}
	}
}

func TestGridFromRecords(t *testing.T) {
	recs := []state.Record{
		{Plan: "p", Job: "j", Name: "p-j-0", InputKind: "Prefix", Input: "in/", Workflow: "w1",
			WindowStart: "2024-01-01T00:00:00+0800", WindowEnd: "2024-01-02T00:00:00+0800",
			Status: executor.RowTriggered, JobID: "i1", JobState: ciapi.StateFailed, ErrorCode: "E", ErrorMessage: "m"},
		{Plan: "p", Job: "j", Name: "p-j-1", InputKind: "Object", Input: "a.mp4", Status: executor.RowPlanned},
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
