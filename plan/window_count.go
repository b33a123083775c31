package plan

import (
	"math"
	"sort"
	"sync"
	"time"
)

// calendarCount returns the number of windows of a calendar step (days or months) without
// walking them. Boundary i is a pure function of i (windowIter.boundary) and does not
// decrease as i grows, so a binary search finds the last boundary before the end; the
// count is then one more than the boundaries that are distinct and after the start.
// Boundaries repeat only where the clock jumps forward by a whole day (Pacific/Apia skipped
// 30 December 2011), and only for 1-day steps: those few spots are looked at one by one.
func calendarCount(j *Job) int {
	it := newWindowIter(j)
	if it.done {
		return 0
	}
	start := it.cur
	// last is the largest i whose boundary is before the end; boundary 0 is the start.
	last := lastBefore(func(i int) bool { return it.boundary(i).Before(it.end) })
	if last == 0 {
		return 1
	}
	n := 1 + last
	if it.step.Days == 1 && it.step.Months == 0 {
		// Boundaries that do not move past the previous one are skipped by the iterator.
		seen := map[int]bool{}
		for _, jump := range dayJumps(it.loc) {
			if !jump.After(start) || !jump.Before(it.end) {
				continue
			}
			k := lastBefore(func(i int) bool { return it.boundary(i).Before(jump) })
			for i := max(k-1, 1); i <= min(k+2, last); i++ {
				if seen[i] {
					continue
				}
				seen[i] = true
				prev := start
				if i > 1 {
					prev = it.boundary(i - 1)
				}
				if !it.boundary(i).After(prev) {
					n--
				}
			}
		}
	}
	return n
}

// lastBefore returns the largest i >= 0 with before(i), for a before that holds for 0 and,
// once false, stays false; it gives up past the years a plan can reach.
func lastBefore(before func(i int) bool) int {
	hi := 1
	for before(hi) {
		if hi > maxCalendarSteps {
			return math.MaxInt
		}
		hi *= 2
	}
	// before(hi/2) holds (or hi is 1 and before(0) holds); before(hi) does not.
	lo := hi / 2
	return lo + sort.Search(hi-lo, func(k int) bool { return !before(lo + k + 1) })
}

// maxCalendarSteps is more calendar steps than years 0001 to 9999 hold (in days).
const maxCalendarSteps = 1 << 22

// dayJumps returns the instants at which loc's clock jumps forward by 12 hours or more,
// over the years a plan can reach; computed once per zone.
func dayJumps(loc *time.Location) []time.Time {
	key := loc.String()
	if v, ok := jumpCache.Load(key); ok {
		return v.([]time.Time)
	}
	var out []time.Time
	t := time.Date(1, 1, 1, 0, 0, 0, 0, loc)
	limit := time.Date(10000, 1, 1, 0, 0, 0, 0, loc)
	for t.Before(limit) {
		_, end := t.ZoneBounds()
		if end.IsZero() || !end.After(t) {
			break
		}
		_, before := t.Zone()
		_, after := end.Zone()
		if after-before >= 12*3600 {
			out = append(out, end)
		}
		t = end
	}
	jumpCache.Store(key, out)
	return out
}

var jumpCache sync.Map // zone name -> []time.Time
