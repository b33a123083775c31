package executor

import (
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/state"
)

// Record is a row of the state file (see package state), named here for the executor's code.
type Record = state.Record

// The statuses of a state row (see state.RowStatus), named here for the executor's code.
const (
	RowPlanned   = state.RowPlanned
	RowSending   = state.RowSending
	RowTriggered = state.RowTriggered
	RowSkipped   = state.RowSkipped
	RowFailed    = state.RowFailed
)

// recordFor fills the request part of a Record from r.
func recordFor(r *plan.Request, status state.RowStatus) Record { return state.RecordFor(r, status) }
