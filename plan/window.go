package plan

import (
	"iter"
	"math"
	"math/bits"
	"time"

	"github.com/planrun/planrun/plan/request"
)

// TimeLayout is the Go layout of the service's %Y-%m-%dT%H:%M:%S%z times, e.g.
// 2024-01-01T00:00:00+0800 (request.TimeLayout; it equals ciapi.TimeFormat).
const TimeLayout = request.TimeLayout

// Windows streams the job's time windows [start, end) in time order. They tile the job's
// window exactly: the first starts at Window.Start, each ends where the next begins and the
// last ends at Window.End (it may be shorter than the step). Without a step there is one
// window; without a Window, or when End is not after Start, there is none. Times are in
// the job's timezone.
func (j *Job) Windows() iter.Seq2[time.Time, time.Time] {
	return func(yield func(time.Time, time.Time) bool) {
		if j.Window == nil {
			return
		}
		w := newWindowIter(j)
		for {
			start, end, ok := w.next()
			if !ok || !yield(start, end) {
				return
			}
		}
	}
}

// WindowCount returns the number of windows Windows yields, without allocating them.
// It saturates at math.MaxInt for absurd plans.
func (j *Job) WindowCount() int {
	w := j.Window
	if w == nil || !w.Start.Before(w.End) {
		return 0
	}
	s := w.Every
	switch {
	case s == nil || s.noProgress():
		return 1
	case s.Days <= 0 && s.Months <= 0:
		return durationSteps(w.Start, w.End, s.Duration)
	}
	return calendarCount(j)
}

// noProgress reports whether s makes no progress at all, which counts as "no step".
func (s *Step) noProgress() bool {
	return s.Duration <= 0 && s.Days <= 0 && s.Months <= 0
}

// durationSteps returns ceil((end-start)/d) for start < end and d > 0, exactly even when
// end-start exceeds the range of time.Duration, saturating at math.MaxInt.
func durationSteps(start, end time.Time, d time.Duration) int {
	if diff := end.Sub(start); diff < math.MaxInt64 {
		n := int64(diff / d)
		if diff%d != 0 {
			n++
		}
		return int(n)
	}
	// end-start does not fit in an int64 of nanoseconds: use 128-bit arithmetic.
	sec := uint64(end.Unix() - start.Unix())
	hi, lo := bits.Mul64(sec, uint64(time.Second))
	nsec := int64(end.Nanosecond()) - int64(start.Nanosecond())
	if nsec >= 0 {
		var c uint64
		lo, c = bits.Add64(lo, uint64(nsec), 0)
		hi += c
	} else {
		var b uint64
		lo, b = bits.Sub64(lo, uint64(-nsec), 0)
		hi -= b
	}
	if hi >= uint64(d) {
		return math.MaxInt
	}
	q, r := bits.Div64(hi, lo, uint64(d))
	if r != 0 {
		q++
	}
	if q > math.MaxInt {
		return math.MaxInt
	}
	return int(q)
}
