package session

import (
	"iter"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan/request"
	"github.com/planrun/planrun/report"
	"github.com/planrun/planrun/report/grid"
	"github.com/planrun/planrun/state"
)

// The cells of the grid, from the state's rows and from a run's results: the words of the
// state and of the service are read here, so that report/grid knows neither.

// GridStateOf maps a request's status and its batch job's last known state
// (ciapi.StateSubmitted ..., executor.StateNotFound) to a grid state.
func GridStateOf(status request.Status, jobState string) grid.GridState {
	switch status {
	case request.Planned, request.Sending:
		return grid.GridNotSent
	case request.Failed:
		return grid.GridFailed
	}
	switch jobState {
	case ciapi.StateRunning, ciapi.StatePause:
		return grid.GridRunning
	case ciapi.StateSuccess:
		return grid.GridSuccess
	case ciapi.StateFailed, executor.StateNotFound:
		return grid.GridFailed
	case ciapi.StateCancel:
		return grid.GridCancelled
	}
	return grid.GridTriggered
}

// GridCellFromRecord turns a row of the state file into a cell.
func GridCellFromRecord(r state.Record) grid.GridCell {
	return grid.GridCell{Key: r.Key, JobID: r.JobID, JobState: r.JobState, Code: r.ErrorCode,
		Message: r.ErrorMessage, State: GridStateOf(r.Status, r.JobState), Attempts: r.Attempt()}
}

// GridCellFromResult turns the result of a request of a run into a cell.
func GridCellFromResult(r executor.Result) grid.GridCell {
	code, msg := report.FailureText(r)
	return grid.GridCell{Key: r.Key, JobID: r.JobID, JobState: r.JobState, Code: code, Message: msg,
		State: GridStateOf(r.Status, r.JobState), Attempts: r.Attempt()}
}

// GridFromRecords reads the rows of a state file (state.Store.Records) into a grid, each
// request at its latest attempt (run --rerun).
func GridFromRecords(records iter.Seq2[state.Record, error], readAt time.Time) (*grid.Grid, error) {
	g := grid.NewGrid(readAt)
	for r, err := range state.LatestBy(records, func(r *state.Record) *state.Record { return r }) {
		if err != nil {
			return nil, err
		}
		g.Add(GridCellFromRecord(r))
	}
	return g, nil
}

// GridFromResults puts the results of a run into a grid.
func GridFromResults(results []executor.Result, readAt time.Time) *grid.Grid {
	g := grid.NewGrid(readAt)
	for _, r := range results {
		g.Add(GridCellFromResult(r))
	}
	return g
}
