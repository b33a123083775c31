package request

import (
	"testing"
	"time"

	_ "github.com/planrun/planrun/internal/testflag" // accepts -update
)

func TestWindowTextRoundTrips(t *testing.T) {
	kathmandu := time.FixedZone("NPT", 5*3600+45*60)
	k := Key{Start: time.Date(2024, 1, 1, 0, 0, 0, 0, kathmandu), End: time.Date(2024, 1, 1, 1, 0, 0, 0, kathmandu)}
	if got := k.StartText() + " " + k.EndText(); got != "2024-01-01T00:00:00+0545 2024-01-01T01:00:00+0545" {
		t.Fatalf("window text %q: the service's form keeps the offset", got)
	}
	var back Key
	if err := back.SetWindow(k.StartText(), k.EndText()); err != nil {
		t.Fatal(err)
	}
	if !back.Start.Equal(k.Start) || !back.End.Equal(k.End) || back.StartText() != k.StartText() || back.EndText() != k.EndText() {
		t.Errorf("read back %v..%v, want %v..%v", back.Start, back.End, k.Start, k.End)
	}
	// Times of one offset share one location: a million rows read back hold one zone.
	other, err := ParseTime("2025-06-30T12:00:00+0545")
	if err != nil {
		t.Fatal(err)
	}
	if other.Location() != back.Start.Location() {
		t.Error("two times of one offset read back into two locations")
	}
}

func TestNoWindowIsEmptyText(t *testing.T) {
	var k Key
	if k.Windowed() || k.StartText() != "" || k.EndText() != "" {
		t.Errorf("a key without a window: windowed %v, text %q %q", k.Windowed(), k.StartText(), k.EndText())
	}
	if err := k.SetWindow("", ""); err != nil || k.Windowed() {
		t.Errorf("empty bounds: %v, windowed %v", err, k.Windowed())
	}
	if err := k.SetWindow("2024-01-01", ""); err == nil {
		t.Error("a bound not in the service's form was accepted")
	}
}

func TestParseTimeReadsEveryOffset(t *testing.T) {
	for _, s := range []string{"2024-01-01T00:00:00+0000", "2024-06-30T20:30:00-0330", "2024-01-01T05:45:00+0545",
		"2024-07-01T10:30:00+1030", "2023-12-31T23:59:59-1200", "2024-02-29T12:00:00+1400"} {
		got, err := ParseTime(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		want, _ := time.Parse(TimeLayout, s)
		if !got.Equal(want) || FormatTime(got) != s {
			t.Errorf("%s read as %s (%s)", s, FormatTime(got), got)
		}
	}
	for _, s := range []string{"2024-01-01T00:00:00+08", "2024-01-01T00:00:00+08:0", "2024-13-01T00:00:00+0800"} {
		if _, err := ParseTime(s); err == nil {
			t.Errorf("%s accepted", s)
		}
	}
}

func TestAppendTimeIsTheLayout(t *testing.T) {
	// The hand-written rendering is the layout's, at every offset (one with seconds, as
	// old local mean times have, included) and at the edges of the year's four digits.
	zones := []*time.Location{time.UTC, time.FixedZone("", -(3*3600 + 1800)), time.FixedZone("", 5*3600+45*60),
		time.FixedZone("LMT", 7*3600+36*60+42), time.FixedZone("", -(11*3600 + 59*60 + 59)), time.FixedZone("", 14*3600)}
	at := []time.Time{time.Date(2024, 2, 29, 23, 59, 59, 999999999, time.UTC), time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 0, 0, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-5, 6, 1, 0, 0, 0, 0, time.UTC), time.Unix(1700000000, 0)}
	for _, z := range zones {
		for _, a := range at {
			tm := a.In(z)
			if got, want := string(AppendTime(nil, tm)), tm.Format(TimeLayout); got != want {
				t.Errorf("%v: %s, want %s", tm, got, want)
			}
		}
	}
}
