package pace

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

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

// Set reads v as ParseRateSpec does, so that *RateSpec is a flag.Value (--qps).
func (s *RateSpec) Set(v string) error {
	spec, err := ParseRateSpec(v)
	if err != nil {
		return err
	}
	*s = spec
	return nil
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
