package executor

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/planrun/planrun/ciapi"
)

// Pacer decides when the API calls of a run may start: a fixed rate (--qps R) or one that
// adapts to the service's answers (--qps auto). Every API call waits on it before it
// starts and reports its answer after. Implementations are safe for concurrent use.
type Pacer interface {
	// Wait blocks until one more call may start and returns the instant it was admitted
	// (to be passed back to Observe), or ctx's error.
	Wait(ctx context.Context) (time.Time, error)
	// Observe reports the answer of a call admitted at start: nil for a success, else the
	// call's error.
	Observe(start time.Time, err error)
	// Rate is the current allowance in calls per second; +Inf when unlimited.
	Rate() float64
}

// CodeQueueSaturated is the service's answer when a queue holds too many unfinished jobs;
// the pacer treats it as back-pressure, like throttling.
const CodeQueueSaturated = ciapi.CodeQueueSaturated

// IsThrottle reports whether err is an answer that asks the client to send more slowly:
// SlowDown (any status), 429, 503, or QueueSaturated. Other failures (500, resets,
// timeouts, 4xx) say nothing about the rate and leave an adaptive pace alone.
func IsThrottle(err error) bool {
	var ae *ciapi.APIError
	if !errors.As(err, &ae) || ae.Status == 0 {
		return false
	}
	return ae.Code == ciapi.CodeSlowDown || ae.Code == CodeQueueSaturated ||
		ae.Status == http.StatusTooManyRequests || ae.Status == http.StatusServiceUnavailable
}

// RateSpec is a parsed --qps value: a fixed rate, or auto with an optional ceiling.
type RateSpec struct {
	// Auto selects the adaptive pace.
	Auto bool
	// QPS is the fixed rate, or with Auto the ceiling the pace never passes. 0 means
	// unlimited (fixed) or no ceiling (auto).
	QPS float64
}

// String renders s as ParseRateSpec reads it.
func (s RateSpec) String() string {
	q := strconv.FormatFloat(s.QPS, 'g', -1, 64)
	switch {
	case s.Auto && s.QPS > 0:
		return "auto:" + q
	case s.Auto:
		return "auto"
	}
	return q
}

// MinQPS is the lowest rate (calls per second) a --qps value may name, besides 0 for
// unlimited: below it a run would in effect send nothing (one call every 100 seconds at
// the least), which is a typing slip, not a rate.
const MinQPS = 0.01

// ParseRateSpec reads a --qps value: a number R (a fixed rate of R calls per second, 0 for
// unlimited), "auto" (an adaptive rate), or "auto:R" (adaptive, never above R). A rate
// (or ceiling) above 0 but below MinQPS is refused.
func ParseRateSpec(v string) (RateSpec, error) {
	v = strings.TrimSpace(v)
	auto, ceil, hasCeil := strings.Cut(v, ":")
	if strings.EqualFold(auto, "auto") {
		s := RateSpec{Auto: true}
		if !hasCeil {
			return s, nil
		}
		q, err := strconv.ParseFloat(ceil, 64)
		if err != nil || q <= 0 || math.IsInf(q, 0) || math.IsNaN(q) {
			return RateSpec{}, fmt.Errorf("qps %q: the ceiling after auto: must be a positive number", v)
		}
		if q < MinQPS {
			return RateSpec{}, fmt.Errorf("qps %q: the ceiling after auto: must be at least %g calls per second", v, MinQPS)
		}
		s.QPS = q
		return s, nil
	}
	q, err := strconv.ParseFloat(v, 64)
	if err != nil || q < 0 || math.IsNaN(q) {
		return RateSpec{}, fmt.Errorf("qps %q: want a number >= 0, auto, or auto:R", v)
	}
	if q > 0 && q < MinQPS {
		return RateSpec{}, fmt.Errorf("qps %q: want at least %g calls per second, or 0 for no limit", v, MinQPS)
	}
	return RateSpec{QPS: q}, nil
}

// NewPacer returns the pacer of spec for a run of parallel workers: a fixed limiter (see
// newLimiter), or an adaptive pace.
func NewPacer(spec RateSpec, parallel int) Pacer {
	if spec.Auto {
		return NewAdaptive(AdaptiveConfig{Ceiling: spec.QPS})
	}
	return FixedPacer(newLimiter(spec.QPS, parallel))
}

// FixedPacer adapts a fixed limiter (--qps R) to Pacer: answers do not change it.
func FixedPacer(l *rate.Limiter) Pacer { return fixedPacer{l} }

type fixedPacer struct{ l *rate.Limiter }

func (f fixedPacer) Wait(ctx context.Context) (time.Time, error) {
	if err := f.l.Wait(ctx); err != nil {
		return time.Time{}, err
	}
	return time.Now(), nil
}

func (fixedPacer) Observe(time.Time, error) {}

func (f fixedPacer) Rate() float64 {
	if f.l.Limit() == rate.Inf {
		return math.Inf(1)
	}
	return float64(f.l.Limit())
}

// Set reads v as ParseRateSpec does, so that *RateSpec is a flag.Value (--qps).
func (s *RateSpec) Set(v string) error {
	spec, err := ParseRateSpec(v)
	if err != nil {
		return err
	}
	*s = spec
	return nil
}
