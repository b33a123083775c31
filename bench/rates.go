package main

import (
	"slices"
	"time"
)

// spanRate is the rate of events between the first and the last one: (n-1) / (last-first).
// It is 0 for fewer than two events.
func spanRate(ts []time.Time) float64 {
	if len(ts) < 2 {
		return 0
	}
	s := sortedTimes(ts)
	d := s[len(s)-1].Sub(s[0])
	if d <= 0 {
		return 0
	}
	return float64(len(s)-1) / d.Seconds()
}

// maxInWindow is the largest number of events within any half-open window [t, t+w).
func maxInWindow(ts []time.Time, w time.Duration) int {
	s := sortedTimes(ts)
	best, lo := 0, 0
	for hi := range s {
		for s[hi].Sub(s[lo]) >= w {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}

// sortedTimes returns a sorted copy of ts.
func sortedTimes(ts []time.Time) []time.Time {
	s := slices.Clone(ts)
	slices.SortFunc(s, func(a, b time.Time) int { return a.Compare(b) })
	return s
}
