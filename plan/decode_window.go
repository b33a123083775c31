package plan

import (
	"slices"
	"time"
)

// decodeWindow parses a window in the job's timezone.
func (l *loader) decodeWindow(ptr []string, wd *windowDoc, loc *time.Location) *Window {
	at := func(k string) []string { return append(slices.Clone(ptr), k) }
	w := &Window{}
	ok := true
	var startText string
	for _, k := range []string{"start", "end"} {
		s := wd.Start
		if k == "end" {
			s = wd.End
		}
		if s == "" {
			ok = false
			continue
		}
		t, err := parseTime(s, loc)
		if err != nil {
			l.check(at(k), false, "%v", err)
			ok = false
			continue
		}
		if y := t.In(loc).Year(); y < 1 || y > 9999 {
			l.check(at(k), false, "is in the year %d in the job's timezone (%s): times are sent with years 0001 to 9999", y, loc)
			ok = false
			continue
		}
		if k == "start" {
			w.Start, startText = t, s
		} else {
			w.End = t
		}
	}
	if ok && !w.Start.Before(w.End) {
		l.check(at("end"), false, "must be after start (%s)", startText)
		ok = false
	}
	if wd.Keys.has("every") {
		st, err := parseStep(wd.Every)
		if err != nil {
			l.check(at("every"), false, "%v", err)
			ok = false
		}
		w.Every = st
	}
	if !ok {
		return nil
	}
	return w
}
