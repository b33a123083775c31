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
	// Selected: Requests counts a selection (--job, --since, --until, --shard).
	Selected bool
	// Retry: Requests is how many batch jobs a retry had counted when it passed the limit
	// and stopped reading: a lower bound, not the total.
	Retry bool
}

// Error names the count and how to raise the limit.
func (e *LimitError) Error() string {
	if e.Retry {
		return fmt.Sprintf("the retry needs more than %d batch jobs (it stopped reading at %d, so the total is not known); "+
			"narrow it (--job, --since, --until), or lift the limit with --max-requests 0", e.Max, e.Requests)
	}
	if e.Rerun {
		return fmt.Sprintf("--rerun would send %d requests again, more than the limit of %d; "+
			"narrow it (--job, --since, --until), or raise the limit with --max-requests %d", e.Requests, e.Max, e.Requests)
	}
	if e.Selected {
		return fmt.Sprintf("the selection holds %d requests, more than the limit of %d; "+
			"narrow it, or raise the limit with --max-requests %d", e.Requests, e.Max, e.Requests)
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
		return &LimitError{Requests: total, Max: max, Selected: true}
	}
	return nil
}

// CheckSelected is CheckLimit over the requests keep selects (--job, --since, --until,
// --shard): a selection is refused only for what it would send, not for the whole plan.
// A nil keep selects every request. It stops counting as soon as the limit is passed.
func CheckSelected(plans []*plan.Plan, max int, keep func(*plan.Request) bool) error {
	if max <= 0 || keep == nil {
		return CheckLimit(plans, max)
	}
	total := 0
	for _, p := range plans {
		for r := range p.Requests() {
			if keep(&r) {
				total++
			}
		}
	}
	if total > max {
		return &LimitError{Requests: total, Max: max, Selected: true}
	}
	return nil
}
