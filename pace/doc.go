// Package pace is the one layer between planrun and the service: every service operation
// is a method of Service, and Layer, a Service that wraps another, gives each call a
// --parallel slot, a start from the limiter (a fixed rate or an adaptive Pacer), a
// per-call timeout, retries with exponential backoff and full jitter (honouring
// Retry-After), and counts (calls sent, calls in flight).
//
// A client call below the layer (ciapi.Client) is one HTTP exchange; everything about
// when and how often it is sent lives here, so that --qps bounds a cancel or a results
// listing as it bounds a run, and --retries N means N+1 tries of any one call as the
// service counts them. Creates are the exception to the retries: the layer sends a create
// once, since whether to send it again is the caller's decision (an uncertain create may
// have made its batch job).
//
// Adding an operation is one method on Service and one method on Layer; the compile-time
// checks in this package fail until both exist.
package pace
