package session

import "fmt"

// Outcome is how a command ended once it has told the user why: cmd maps it to the exit
// status of the same number. It is returned as an error so that every path reports it the
// same way; nil means OK.
type Outcome int

// The outcomes, numbered as the exit statuses the README lists.
const (
	OK          Outcome = 0
	Failed      Outcome = 1   // the plan is invalid, or some request, job or object failed
	Usage       Outcome = 2   // bad usage or configuration, already said
	Pending     Outcome = 3   // run --dry-run --detailed-exitcode: some request would be sent
	Interrupted Outcome = 130 // stopped by a signal after saving what was done
)

func (o Outcome) Error() string { return fmt.Sprintf("exit status %d", int(o)) }

// UsageError marks a bad invocation or configuration (exit status 2) that has not been
// said yet: cmd prints it.
type UsageError struct{ Err error }

func (e UsageError) Error() string { return e.Err.Error() }
func (e UsageError) Unwrap() error { return e.Err }

// Usagef formats a UsageError.
func Usagef(format string, args ...any) error { return UsageError{fmt.Errorf(format, args...)} }
