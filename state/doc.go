// Package state is planrun's state file: an SQLite database of every request of the plans
// run from it, what happened to each (its row status, its batch job and that job's last
// known state), and when each plan generation first ran. It holds the schema and its
// checks, the single writer that group-commits writes, the lock that keeps two runs off
// one file, and the heartbeat a run leaves beside it while it sends.
//
// It knows requests and their outcomes, not how they are sent: a row is a request.Key (the
// identity every room shares), a request.Status and what the service said; it imports
// plan, never the executor or any rendering.
package state
