package plan

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
	"time"
	_ "time/tzdata" // hermetic zone data for the DST cases
)

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load zone %s: %v", name, err)
	}
	return loc
}

// windowJob returns a job over [start, end) with the given step (nil: no step).
func windowJob(loc *time.Location, start, end time.Time, every *Step) *Job {
	return &Job{
		Name: "j", Type: "workflow", Bucket: "b-1250000000", Region: "ap-beijing",
		Timezone: loc, TZName: loc.String(),
		Prefixes: []string{"p/"}, Workflows: []string{"w7476ff3564ee45b7b490d64bccaba6cc"},
		Window: &Window{Start: start, End: end, Every: every},
	}
}

type span struct{ start, end time.Time }

func collect(j *Job) []span {
	var out []span
	for s, e := range j.Windows() {
		out = append(out, span{s, e})
	}
	return out
}

// checkTiling asserts the windows tile [start, end) exactly with strictly positive lengths.
func checkTiling(t *testing.T, j *Job, ws []span) {
	t.Helper()
	w := j.Window
	if len(ws) == 0 {
		t.Fatalf("no windows for [%v, %v)", w.Start, w.End)
	}
	if !ws[0].start.Equal(w.Start) {
		t.Errorf("first window starts at %v, want %v", ws[0].start, w.Start)
	}
	if last := ws[len(ws)-1].end; !last.Equal(w.End) {
		t.Errorf("last window ends at %v, want %v", last, w.End)
	}
	for i, s := range ws {
		if !s.start.Before(s.end) {
			t.Fatalf("window %d [%v, %v) is empty or reversed", i, s.start, s.end)
		}
		if i > 0 && !ws[i-1].end.Equal(s.start) {
			t.Fatalf("gap or overlap between window %d (ends %v) and %d (starts %v)", i-1, ws[i-1].end, i, s.start)
		}
	}
	if got := j.WindowCount(); got != len(ws) {
		t.Errorf("WindowCount = %d, Windows yielded %d", got, len(ws))
	}
}

func TestWindowsTileRandomRanges(t *testing.T) {
	zones := []*time.Location{
		mustZone(t, "Europe/Berlin"), mustZone(t, "America/New_York"),
		mustZone(t, "Australia/Lord_Howe"), mustZone(t, "Asia/Kathmandu"),
		mustZone(t, "Pacific/Apia"), mustZone(t, "Asia/Shanghai"), time.UTC,
		time.FixedZone("-03:30", -(3*3600 + 1800)),
	}
	steps := []Step{
		{Duration: 7 * time.Minute}, {Duration: 30 * time.Minute}, {Duration: 90 * time.Minute},
		{Duration: 6 * time.Hour}, {Duration: 24 * time.Hour}, {Duration: 1500 * time.Millisecond},
		{Days: 1}, {Days: 2}, {Days: 7}, {Days: 14}, {Months: 1}, {Months: 2}, {Months: 3}, {Months: 12},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	shortOrLongDays := 0
	dstMonths := []time.Month{time.March, time.April, time.October, time.November}
	for n := 0; n < 3000; n++ {
		loc := zones[rng.IntN(len(zones))]
		step := steps[rng.IntN(len(steps))]
		// Starts in 2009..2030, mostly in months where the zones above change their clocks,
		// on a whole minute half the time (as plans are written).
		y, m := 2009+rng.IntN(22), time.Month(1+rng.IntN(12))
		if rng.IntN(4) > 0 {
			m = dstMonths[rng.IntN(len(dstMonths))]
		}
		startSec := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).Unix() + rng.Int64N(31*86400)
		if rng.IntN(2) == 0 {
			startSec -= startSec % 60
		}
		// Up to about 200 steps, so that the windows cross a DST change now and then.
		stepSec := int64(step.Duration/time.Second) + int64(step.Days)*86400 + int64(step.Months)*31*86400
		spanSec := 1 + rng.Int64N(max(stepSec, 1)*200)
		start := time.Unix(startSec, 0).In(loc)
		end := time.Unix(startSec+spanSec, 0).In(loc)
		j := windowJob(loc, start, end, &step)
		ws := collect(j)
		checkTiling(t, j, ws)
		for i, s := range ws {
			if loc.String() == "Pacific/Apia" {
				break // boundaries there may collapse at the skipped day
			}
			if want := expectedBoundary(start, step, i); !s.start.Equal(want) {
				t.Fatalf("%v step %+v from %v: window %d starts at %v, want %v", loc, step, start, i, s.start, want)
			}
		}
		for i, s := range ws[:len(ws)-1] {
			if step.Days > 0 && s.end.Sub(s.start)%(24*time.Hour) != 0 {
				shortOrLongDays++
			}
			switch {
			case step.Duration > 0:
				if d := s.end.Sub(s.start); d != step.Duration {
					t.Fatalf("%v step %v: window %d lasts %v", loc, step.Duration, i, d)
				}
			case step.Days > 0:
				if d := s.end.Sub(s.start); d < time.Duration(step.Days)*24*time.Hour-3*time.Hour ||
					d > time.Duration(step.Days)*24*time.Hour+3*time.Hour {
					if loc.String() != "Pacific/Apia" { // skipped 2011-12-30 entirely
						t.Fatalf("%v %dd from %v: window %d lasts %v", loc, step.Days, start, i, d)
					}
				}
			}
		}
		if t.Failed() {
			t.Fatalf("zone %v step %+v start %v end %v", loc, step, start, end)
		}
	}
	if shortOrLongDays == 0 {
		t.Error("no random range crossed a DST change; the test lost its point")
	}
	t.Logf("%d calendar windows of a length other than whole days", shortOrLongDays)
}

// expectedBoundary computes boundary i independently of the implementation: AddDate for
// days, and for months the first of the target month plus the clamped day.
func expectedBoundary(start time.Time, s Step, i int) time.Time {
	switch {
	case s.Duration > 0:
		return start.Add(time.Duration(i) * s.Duration)
	case s.Days > 0:
		return start.AddDate(0, 0, i*s.Days)
	}
	first := time.Date(start.Year(), start.Month(), 1, start.Hour(), start.Minute(), start.Second(), start.Nanosecond(), start.Location())
	first = first.AddDate(0, i*s.Months, 0)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(start.Day(), last), start.Hour(), start.Minute(), start.Second(), start.Nanosecond(), start.Location())
}

func TestDayAcrossDSTIs23Or25Hours(t *testing.T) {
	cases := []struct {
		zone     string
		day      time.Time // local midnight of the DST day, in a zone set below
		want     time.Duration
		wantNext time.Duration
	}{
		{"America/New_York", time.Date(2024, 3, 10, 0, 0, 0, 0, time.UTC), 23 * time.Hour, 24 * time.Hour},
		{"America/New_York", time.Date(2024, 11, 3, 0, 0, 0, 0, time.UTC), 25 * time.Hour, 24 * time.Hour},
		{"Europe/Berlin", time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC), 23 * time.Hour, 24 * time.Hour},
		{"Europe/Berlin", time.Date(2024, 10, 27, 0, 0, 0, 0, time.UTC), 25 * time.Hour, 24 * time.Hour},
		{"Australia/Lord_Howe", time.Date(2024, 4, 7, 0, 0, 0, 0, time.UTC), 24*time.Hour + 30*time.Minute, 24 * time.Hour},
		{"Australia/Lord_Howe", time.Date(2024, 10, 6, 0, 0, 0, 0, time.UTC), 23*time.Hour + 30*time.Minute, 24 * time.Hour},
	}
	for _, c := range cases {
		t.Run(c.zone+c.day.Format("-2006-01-02"), func(t *testing.T) {
			loc := mustZone(t, c.zone)
			y, m, d := c.day.Date()
			start := time.Date(y, m, d-1, 0, 0, 0, 0, loc)
			j := windowJob(loc, start, time.Date(y, m, d+2, 0, 0, 0, 0, loc), &Step{Days: 1, Text: "1d"})
			ws := collect(j)
			checkTiling(t, j, ws)
			if len(ws) != 3 {
				t.Fatalf("got %d windows, want 3", len(ws))
			}
			if got := ws[1].end.Sub(ws[1].start); got != c.want {
				t.Errorf("DST day lasts %v, want %v", got, c.want)
			}
			if got := ws[2].end.Sub(ws[2].start); got != c.wantNext {
				t.Errorf("next day lasts %v, want %v", got, c.wantNext)
			}
			for i, s := range ws {
				if h, mm, _ := s.start.Clock(); h != 0 || mm != 0 {
					t.Errorf("window %d starts at %v, want local midnight", i, s.start)
				}
			}
		})
	}
}

func TestMonthStepsClampToMonthEnd(t *testing.T) {
	loc := mustZone(t, "Asia/Shanghai")
	start := time.Date(2024, 1, 31, 0, 0, 0, 0, loc)
	end := time.Date(2024, 5, 15, 12, 0, 0, 0, loc)
	for _, c := range []struct {
		months int
		want   []string
	}{
		{1, []string{
			"2024-01-31T00:00:00+0800 2024-02-29T00:00:00+0800",
			"2024-02-29T00:00:00+0800 2024-03-31T00:00:00+0800",
			"2024-03-31T00:00:00+0800 2024-04-30T00:00:00+0800",
			"2024-04-30T00:00:00+0800 2024-05-15T12:00:00+0800",
		}},
		{2, []string{
			"2024-01-31T00:00:00+0800 2024-03-31T00:00:00+0800",
			"2024-03-31T00:00:00+0800 2024-05-15T12:00:00+0800",
		}},
	} {
		j := windowJob(loc, start, end, &Step{Months: c.months})
		ws := collect(j)
		checkTiling(t, j, ws)
		var got []string
		for _, s := range ws {
			got = append(got, s.start.Format(TimeLayout)+" "+s.end.Format(TimeLayout))
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%dmo windows:\n got %q\nwant %q", c.months, got, c.want)
		}
	}
	// A year later the day is still clamped from the original start, not cumulatively.
	j := windowJob(loc, start, time.Date(2025, 3, 1, 0, 0, 0, 0, loc), &Step{Months: 1})
	ws := collect(j)
	if got := ws[12].start.Format(time.DateOnly); got != "2025-01-31" {
		t.Errorf("13th window starts %s, want 2025-01-31", got)
	}
}

func TestMonthStepAcrossDSTRendersLocalOffset(t *testing.T) {
	loc := mustZone(t, "America/New_York")
	j := windowJob(loc, time.Date(2024, 1, 15, 0, 0, 0, 0, loc), time.Date(2024, 4, 1, 0, 0, 0, 0, loc), &Step{Months: 1})
	var got []string
	for s, e := range j.Windows() {
		got = append(got, s.Format(TimeLayout)+" "+e.Format(TimeLayout))
	}
	want := []string{
		"2024-01-15T00:00:00-0500 2024-02-15T00:00:00-0500",
		"2024-02-15T00:00:00-0500 2024-03-15T00:00:00-0400",
		"2024-03-15T00:00:00-0400 2024-04-01T00:00:00-0400",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestRenderedOffsets(t *testing.T) {
	for _, c := range []struct {
		loc  *time.Location
		at   time.Time
		want string
	}{
		{mustZone(t, "Asia/Kathmandu"), time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), "2024-01-01T05:45:00+0545"},
		{mustZone(t, "Australia/Lord_Howe"), time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), "2024-01-01T11:00:00+1100"},
		{mustZone(t, "Australia/Lord_Howe"), time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC), "2024-07-01T10:30:00+1030"},
		{mustZone(t, "America/New_York"), time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC), "2024-06-30T20:00:00-0400"},
		{time.UTC, time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC), "2024-07-01T00:00:00+0000"},
		{time.FixedZone("", -(3*3600 + 1800)), time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC), "2024-06-30T20:30:00-0330"},
	} {
		j := windowJob(c.loc, c.at, c.at.Add(time.Hour), nil)
		p := &Plan{Name: "p", Generation: 1, Jobs: []Job{*j}}
		for r := range p.Requests() {
			if r.StartText() != c.want {
				t.Errorf("%v: Start = %s, want %s", c.loc, r.StartText(), c.want)
			}
		}
	}
}

func TestSpringForwardGapStaysMonotonic(t *testing.T) {
	loc := mustZone(t, "America/New_York")
	// 02:30 does not exist on 2024-03-10.
	j := windowJob(loc, time.Date(2024, 3, 8, 2, 30, 0, 0, loc), time.Date(2024, 3, 13, 0, 0, 0, 0, loc), &Step{Days: 1})
	ws := collect(j)
	checkTiling(t, j, ws)
	if len(ws) != 5 {
		t.Fatalf("got %d windows, want 5", len(ws))
	}
	if h, _, _ := ws[3].start.Clock(); h != 2 {
		t.Errorf("day after the gap starts at %v, want 02:30 again", ws[3].start)
	}
}

func TestSkippedDayStillTiles(t *testing.T) {
	loc := mustZone(t, "Pacific/Apia") // 2011-12-30 did not exist there
	for _, h := range []int{0, 12, 23} {
		j := windowJob(loc, time.Date(2011, 12, 27, h, 0, 0, 0, loc), time.Date(2012, 1, 3, 0, 0, 0, 0, loc), &Step{Days: 1})
		checkTiling(t, j, collect(j))
	}
}

func TestOneOrNoWindow(t *testing.T) {
	loc := time.UTC
	start, end := time.Date(2024, 1, 1, 0, 0, 0, 0, loc), time.Date(2024, 2, 1, 0, 0, 0, 0, loc)
	for _, every := range []*Step{nil, {}} {
		j := windowJob(loc, start, end, every)
		ws := collect(j)
		if len(ws) != 1 || !ws[0].start.Equal(start) || !ws[0].end.Equal(end) || j.WindowCount() != 1 {
			t.Errorf("every %v: got %v (count %d), want the one window", every, ws, j.WindowCount())
		}
	}
	j := windowJob(loc, start, end, nil)
	j.Window = nil
	if ws := collect(j); len(ws) != 0 || j.WindowCount() != 0 {
		t.Errorf("no window: got %v", ws)
	}
	j = windowJob(loc, end, start, &Step{Days: 1})
	if ws := collect(j); len(ws) != 0 || j.WindowCount() != 0 {
		t.Errorf("end before start: got %v", ws)
	}
}

func TestDurationStepsHugeRanges(t *testing.T) {
	start := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(9999, 12, 31, 23, 59, 59, 999, time.UTC)
	total := new(big.Int).Mul(big.NewInt(end.Unix()-start.Unix()), big.NewInt(1e9))
	total.Add(total, big.NewInt(int64(end.Nanosecond()-start.Nanosecond())))
	for _, d := range []time.Duration{time.Hour, 7 * time.Second, time.Millisecond, math.MaxInt64} {
		q, r := new(big.Int).QuoRem(total, big.NewInt(int64(d)), new(big.Int))
		if r.Sign() != 0 {
			q.Add(q, big.NewInt(1))
		}
		if got := durationSteps(start, end, d); int64(got) != q.Int64() {
			t.Errorf("step %v: got %d, want %s", d, got, q)
		}
	}
	if got := durationSteps(start, end, time.Nanosecond); got != math.MaxInt {
		t.Errorf("1ns over 10000 years: got %d, want saturation", got)
	}
	j := windowJob(time.UTC, start, end, &Step{Duration: time.Nanosecond})
	p := &Plan{Jobs: []Job{*j, *j}}
	if got := p.Count(); got != math.MaxInt {
		t.Errorf("Count = %d, want saturation", got)
	}
}
