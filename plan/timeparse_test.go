package plan

import (
	"strings"
	"testing"
	"time"
)

func TestLoadTimezone(t *testing.T) {
	good := map[string]int{"UTC": 0, "Z": 0, "+08:00": 8 * 3600, "-05:30": -(5*3600 + 30*60), "+14:00": 14 * 3600, "Asia/Shanghai": 8 * 3600}
	for name, off := range good {
		loc, err := loadTimezone(name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if _, got := time.Date(2024, 1, 15, 0, 0, 0, 0, loc).Zone(); got != off {
			t.Errorf("%s: offset %d, want %d", name, got, off)
		}
	}
	for name, want := range map[string]string{
		"Mars/Olympus": "unknown timezone", "Local": "depends on the machine", "": "depends on the machine",
		"+15:00": "out of range", "+08:60": "out of range", "../../etc/passwd": "unknown timezone", "+0800": "unknown timezone",
	} {
		if _, err := loadTimezone(name); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", name, err, want)
		}
	}
}

func TestParseTimeErrors(t *testing.T) {
	for in, want := range map[string]string{
		"2024-13-01":                "month out of range",
		"2024-02-30":                "day out of range",
		"2024-01-01T25:00:00":       "hour out of range",
		"2024-01-01T00:00:00+25:00": "offset hour out of range",
		"yesterday":                 "must be a time",
	} {
		if _, err := parseTime(in, time.UTC); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", in, err, want)
		}
	}
}

func TestParseStepErrors(t *testing.T) {
	for in, want := range map[string]string{
		"0d": "longer than zero", "0mo": "longer than zero", "-1h": "longer than zero", "0s": "longer than zero",
		"1500ms": "whole number of seconds", "36601d": "too long", "5229w": "too long", "1201mo": "too long",
		"99999999999999999999d": "too long", "1y": "not a valid step", "9999999999h": "not a valid step",
	} {
		if _, err := parseStep(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", in, err, want)
		}
	}
}
