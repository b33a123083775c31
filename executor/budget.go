package executor

import "slices"

// CodeCount is one group of failures that share the service's error code ("" when the
// failure had none: a network error, a timeout).
type CodeCount struct {
	Code    string
	Count   int
	Example Result // the first failure with this code
}

// maxCodes bounds the groups a Summary keeps: codes are the service's vocabulary, but a
// misbehaving service must not grow the summary without end. Failures with a code beyond
// the first maxCodes count in one more group, "other".
const maxCodes = 100

// countCode adds failure r to its code's group; s.mu is held.
func (s *Summary) countCode(r Result) {
	code := r.Code
	if len(s.Codes) >= maxCodes && !slices.ContainsFunc(s.Codes, func(c CodeCount) bool { return c.Code == code }) {
		code = "other"
	}
	for i := range s.Codes {
		if s.Codes[i].Code == code {
			s.Codes[i].Count++
			return
		}
	}
	s.Codes = append(s.Codes, CodeCount{Code: code, Count: 1, Example: r})
}

// spendBudget stops the run once Options.MaxFailures requests have failed: no new request
// starts (the stop context ends, as after a configuration error, without one), and those
// in flight finish. It is called after each failure was counted.
func (r *runner) spendBudget() {
	if r.o.MaxFailures <= 0 {
		return
	}
	r.sum.mu.Lock()
	spent := r.sum.Total.Failed >= r.o.MaxFailures
	first := spent && !r.sum.BudgetSpent
	if spent {
		r.sum.BudgetSpent = true
	}
	r.sum.mu.Unlock()
	if first {
		r.o.Logger.Warn("the failure budget is spent: no new request starts", "max_failures", r.o.MaxFailures)
		r.cancelStop()
	}
}
