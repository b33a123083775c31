package plan

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // IANA timezones work on machines without a zoneinfo database
	"unicode"
)

var fixedOffset = regexp.MustCompile(`^([+-])([0-9]{2}):([0-9]{2})$`)

// loadTimezone resolves a plan timezone: an IANA name, UTC, Z, or a fixed offset such as
// +08:00 or -05:30.
func loadTimezone(name string) (*time.Location, error) {
	switch name {
	case "UTC", "Z":
		return time.UTC, nil
	case "", "Local":
		return nil, fmt.Errorf("timezone %q depends on the machine: name one, e.g. Asia/Shanghai or +08:00", name)
	}
	if m := fixedOffset.FindStringSubmatch(name); m != nil {
		h, _ := strconv.Atoi(m[2])
		mi, _ := strconv.Atoi(m[3])
		if h > 14 || mi > 59 {
			return nil, fmt.Errorf("offset %s is out of range (-14:00 to +14:00)", name)
		}
		secs := h*3600 + mi*60
		if m[1] == "-" {
			secs = -secs
		}
		return time.FixedZone(name, secs), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		if s := suggestZone(name); s != "" {
			return nil, fmt.Errorf("unknown timezone %q: did you mean %s? (IANA names are case-sensitive)", name, s)
		}
		return nil, fmt.Errorf("unknown timezone %q: use an IANA name such as Asia/Shanghai or a fixed offset such as +08:00", name)
	}
	return loc, nil
}

// suggestZone returns the IANA name that name probably meant when only its case is wrong
// (asia/shanghai, AMERICA/NEW_YORK, utc), or "".
func suggestZone(name string) string {
	if strings.EqualFold(name, "UTC") || strings.EqualFold(name, "Z") {
		return "UTC"
	}
	title := []byte(strings.ToLower(name))
	for i := range title {
		if i == 0 || strings.ContainsRune("/_-", rune(title[i-1])) {
			title[i] = byte(unicode.ToUpper(rune(title[i])))
		}
	}
	for _, c := range []string{string(title), strings.ToUpper(name)} {
		if c == name || strings.ContainsAny(c, "\\.") {
			continue
		}
		if _, err := time.LoadLocation(c); err == nil {
			return c
		}
	}
	return ""
}

// parseTime reads a window time: RFC 3339 with an offset, or without one
// (2024-01-01T00:00:00, 2024-01-01 00:00:00) or a date (midnight), read in loc.
func parseTime(s string, loc *time.Location) (time.Time, error) {
	var t time.Time
	var err error
	iso := strings.Replace(s, " ", "T", 1)
	switch {
	case len(s) == len("2006-01-02"):
		t, err = time.ParseInLocation("2006-01-02", s, loc)
	case len(iso) == len("2006-01-02T15:04:05"):
		t, err = time.ParseInLocation("2006-01-02T15:04:05", iso, loc)
	default:
		t, err = time.Parse(time.RFC3339, iso)
	}
	if err != nil {
		var pe *time.ParseError
		if errors.As(err, &pe) && pe.Message != "" {
			return time.Time{}, fmt.Errorf("not a valid time: %s", strings.TrimPrefix(pe.Message, ": "))
		}
		return time.Time{}, errors.New("must be a time such as 2024-01-01T00:00:00+08:00, 2024-01-01 00:00:00 or 2024-01-01")
	}
	return t.In(loc), nil
}

// Bounds of calendar steps: a century is plenty and keeps date arithmetic exact.
const (
	maxStepDays   = 36600
	maxStepMonths = 1200
)

// parseStep reads a window step: a calendar step Nd, Nw or Nmo (N >= 1), or a positive
// Go duration of whole seconds.
func parseStep(s string) (*Step, error) {
	st := &Step{Text: s}
	for _, u := range []struct {
		suffix string
		days   int
		months int
	}{{"mo", 0, 1}, {"w", 7, 0}, {"d", 1, 0}} {
		num, ok := strings.CutSuffix(s, u.suffix)
		if !ok || num == "" || strings.Trim(num, "0123456789") != "" {
			continue
		}
		n, err := strconv.Atoi(num)
		switch {
		case err != nil || u.days > 0 && n > maxStepDays/u.days || u.months > 0 && n > maxStepMonths:
			return nil, errors.New("step is too long: at most 100 years")
		case n == 0:
			return nil, errors.New("step must be longer than zero")
		}
		st.Days, st.Months = n*u.days, n*u.months
		return st, nil
	}
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return nil, fmt.Errorf("not a valid step: use 1d, 1w, 1mo or a Go duration such as 30m or 6h")
	case d <= 0:
		return nil, errors.New("step must be longer than zero")
	case d%time.Second != 0:
		return nil, errors.New("step must be a whole number of seconds: times are sent to the second")
	}
	st.Duration = d
	return st, nil
}
