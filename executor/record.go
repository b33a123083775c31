package executor

import (
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
	"github.com/planrun/planrun/state"
)

// Record is a row of the state file (see package state), named here for the executor's code.
type Record = state.Record

// recordFor fills the request part of a Record from r.
func recordFor(r *plan.Request, status request.Status) Record { return state.RecordFor(r, status) }
