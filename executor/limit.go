package executor

import (
	"errors"
	"fmt"

	"github.com/planrun/planrun/plan"
)

// ErrTooManyRequests is matched (errors.Is) by the error of CheckLimit.
var ErrTooManyRequests = errors.New("too many requests")

// LimitError says that plans expand to more requests than allowed.
type LimitError struct {
	Requests int // how many requests the plans expand to
	Max      int // the limit in force
	// Rerun: Requests counts those run --rerun would send again (see RerunSet).
	Rerun bool
}

// Error names the count and how to raise the limit.
func (e *LimitError) Error() string {
	if e.Rerun {
		return fmt.Sprintf("--rerun would send %d requests again, more than the limit of %d; "+
			"narrow it (--job, --since, --until), or raise the limit with --max-requests %d", e.Requests, e.Max, e.Requests)
	}
	return fmt.Sprintf("the plans expand to %d requests, more than the limit of %d; "+
		"check the plans, or raise the limit with --max-requests %d", e.Requests, e.Max, e.Requests)
}

// Is makes errors.Is(err, ErrTooManyRequests) true.
func (e *LimitError) Is(target error) bool { return target == ErrTooManyRequests }

// CheckLimit returns a *LimitError when plans expand to more than max requests in total.
// max <= 0 means no limit.
func CheckLimit(plans []*plan.Plan, max int) error {
	if max <= 0 {
		return nil
	}
	total := 0
	for _, p := range plans {
		total += p.Count()
	}
	if total > max {
		return &LimitError{Requests: total, Max: max}
	}
	return nil
}
