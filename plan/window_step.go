package plan

import "time"

// windowIter walks the boundaries of one job's window. Boundary i is computed from the
// start, never cumulatively, so calendar steps do not drift:
//
//   - fixed durations: start + i*d (exact integer arithmetic, so cumulative adding is the same);
//   - days: the start's wall-clock time i*N days later in the job's timezone;
//   - months: i*N months later, with the day clamped to the last day of the target month.
//
// A wall time that does not exist (a spring-forward gap, a skipped day) is normalised the
// way time.Date does it; a boundary that would not be strictly after the previous one is
// skipped, so the windows still tile the range and never have zero or negative length.
type windowIter struct {
	loc        *time.Location
	end        time.Time
	step       Step
	hasStep    bool
	i          int       // index of the next boundary to compute
	cur        time.Time // start of the next window
	done       bool
	y, d       int        // wall clock of the start, for calendar steps
	mo         time.Month //
	hh, mm, ss int        //
	ns         int        //
}

func newWindowIter(j *Job) windowIter {
	w := j.Window
	loc := j.Timezone
	if loc == nil {
		loc = time.UTC
	}
	it := windowIter{loc: loc, end: w.End.In(loc), cur: w.Start.In(loc)}
	if !w.Start.Before(w.End) {
		it.done = true
		return it
	}
	if w.Every != nil && !w.Every.noProgress() {
		it.step, it.hasStep = *w.Every, true
		it.y, it.mo, it.d = it.cur.Date()
		it.hh, it.mm, it.ss = it.cur.Clock()
		it.ns = it.cur.Nanosecond()
	}
	it.i = 1
	return it
}

// maxSkips bounds how many collapsed boundaries in a row are skipped before the rest of
// the range becomes the last window; real time zones never need more than one, so this
// only stops absurd steps whose arithmetic overflows from looping.
const maxSkips = 64

// next returns the next window, or ok=false when the range is exhausted.
func (it *windowIter) next() (start, end time.Time, ok bool) {
	if it.done {
		return time.Time{}, time.Time{}, false
	}
	start = it.cur
	if !it.hasStep {
		it.done = true
		return start, it.end, true
	}
	for skipped := 0; ; skipped++ {
		b := it.boundary(it.i)
		it.i++
		if !b.After(start) && skipped < maxSkips {
			continue // a normalised gap collapsed onto an earlier boundary
		}
		if !b.After(start) || !b.Before(it.end) {
			it.done = true
			return start, it.end, true
		}
		it.cur = b
		return start, b, true
	}
}

// boundary returns boundary i (i >= 1) of the window.
func (it *windowIter) boundary(i int) time.Time {
	s := &it.step
	switch {
	case s.Months > 0:
		total := int(it.mo-1) + i*s.Months
		y, m := it.y+total/12, time.Month(total%12+1)
		d := min(it.d, monthDays(y, m))
		return time.Date(y, m, d, it.hh, it.mm, it.ss, it.ns, it.loc)
	case s.Days > 0:
		return time.Date(it.y, it.mo, it.d+i*s.Days, it.hh, it.mm, it.ss, it.ns, it.loc)
	default:
		return it.cur.Add(s.Duration)
	}
}

// monthDays returns the number of days of month m in year y (proleptic Gregorian).
func monthDays(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
