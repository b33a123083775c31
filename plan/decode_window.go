package plan

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// decodeWindow parses a window in the job's timezone. tzWritten says whether the plan
// names that timezone (else it is UTC by default).
func (l *loader) decodeWindow(ptr []string, wd *windowDoc, loc *time.Location, tzWritten bool) *Window {
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
			if tzWritten {
				l.warnOffset(at(k), s, t, loc)
			}
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

// writtenOffset matches the offset at the end of a time written with one.
var writtenOffset = regexp.MustCompile(`(Z|[+-][0-9]{2}:[0-9]{2})$`)

// warnOffset warns when the window start s, written with an offset, is not written in
// the offset the job's timezone has at that instant: calendar steps follow the timezone's
// wall clock, so the windows start at another local time than the one written.
func (l *loader) warnOffset(ptr []string, s string, t time.Time, loc *time.Location) {
	m := writtenOffset.FindString(s)
	if m == "" {
		return
	}
	written := 0
	if m != "Z" {
		h, _ := strconv.Atoi(m[1:3])
		mi, _ := strconv.Atoi(m[4:6])
		written = h*3600 + mi*60
		if m[0] == '-' {
			written = -written
		}
	}
	local := t.In(loc)
	if _, off := local.Zone(); off == written {
		return
	}
	wall := strings.Replace(strings.TrimSuffix(s, m), " ", "T", 1)
	meant, err := time.ParseInLocation("2006-01-02T15:04:05", wall, loc)
	if err != nil {
		return
	}
	l.warn(ptr, "%s is %s in %s: windows will start at %s local time; to start at %s there, write %s or leave the offset out",
		s, local.Format(time.RFC3339), loc, local.Format("15:04:05"), meant.Format("15:04:05"), wall+meant.Format("-07:00"))
}
