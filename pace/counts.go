package pace

import "sync/atomic"

// Counts are the calls a layer sent: every try of every operation, once it held a slot
// and the pacer let it start. Several layers may share one Counts (Config.Counts). The
// zero value is ready; it is safe for concurrent use.
type Counts struct {
	sent, inFlight atomic.Int64
}

// Sent returns how many calls were sent (each retry counts).
func (c *Counts) Sent() int64 { return c.sent.Load() }

// InFlight returns how many calls are sent and not yet answered; calls waiting for a
// slot or for the pacer are not counted.
func (c *Counts) InFlight() int { return int(c.inFlight.Load()) }

// start counts one call sent and returns what ends it.
func (c *Counts) start() func() {
	c.sent.Add(1)
	c.inFlight.Add(1)
	return func() { c.inFlight.Add(-1) }
}
