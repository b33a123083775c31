package executor

import (
	"github.com/planrun/planrun/ciapi"
)

// The service's words for the state of a batch job or an execution, as results carry them
// (Result.JobState, ObjectResult.State), so that what renders results needs no client.
const (
	StateSubmitted = ciapi.StateSubmitted
	StateRunning   = ciapi.StateRunning
	StatePause     = ciapi.StatePause
	StateSuccess   = ciapi.StateSuccess
	StateFailed    = ciapi.StateFailed
	StateCancel    = ciapi.StateCancel
)

// APIError is the service's answer to a refused call (see ciapi.APIError), as a result's
// error may wrap it.
type APIError = ciapi.APIError
