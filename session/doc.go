// Package session is what a planrun command asks for, between the command line and the
// rooms that do the work. It declares the flag groups the commands share (service, rate,
// plan selection, outputs) once, reads their project-wide defaults from the environment,
// opens the client, the state (read-write, read-only or none) and the executor options
// from them in one place, and runs the orchestrations a command is made of (run -> wait ->
// results -> summary, retry, results, cancel, status) to a typed Outcome.
//
// cmd/planrun only wires: it parses flags into a Session and maps the returned error to an
// exit status (see Outcome and UsageError).
package session
