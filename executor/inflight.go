package executor

import (
	"github.com/planrun/planrun/pace"
)

// Counted is a Service whose calls, made through the layer of an executor entry point it
// is given to, are counted in Counts: every try of every operation once it is sent (a
// --parallel slot and the limiter let it), so that Counts.InFlight is the progress line's
// "in flight" and not the calls waiting for their turn. Calls made on it directly are not
// counted.
type Counted struct {
	pace.Service
	*pace.Counts
}

// CountCalls returns api counted (see Counted).
func CountCalls(api API) *Counted { return &Counted{Service: api, Counts: &pace.Counts{}} }
