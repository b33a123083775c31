package plan

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// iterCount counts the windows by walking them.
func iterCount(j *Job) int {
	n := 0
	for range j.Windows() {
		n++
	}
	return n
}

func TestWindowCountMatchesTheWindows(t *testing.T) {
	// Calendar counts are computed, not walked: they must equal the walk everywhere,
	// across daylight-saving changes and the days some zones skipped or repeated.
	type span struct {
		zone       string
		start, end string
	}
	spans := []span{
		{"Pacific/Apia", "2011-12-01T00:00:00", "2012-01-15T00:00:00"},      // skipped 30 Dec 2011
		{"Pacific/Apia", "2011-12-29T23:30:00", "2011-12-31T00:30:00"},      //
		{"Pacific/Kwajalein", "1993-08-01T12:00:00", "1993-09-01T12:00:00"}, // skipped a day in 1993
		{"Asia/Manila", "1844-12-01T00:00:00", "1845-02-01T00:00:00"},       // skipped 31 Dec 1844
		{"America/Sitka", "1867-10-01T00:00:00", "1867-11-01T00:00:00"},     // repeated a day in 1867
		{"America/New_York", "2024-03-01T02:30:00", "2024-11-30T01:30:00"},
		{"Europe/Berlin", "2020-01-31T00:00:00", "2024-03-31T02:30:00"},
		{"Australia/Lord_Howe", "2000-01-01T02:15:00", "2003-01-01T00:00:00"},
		{"UTC", "0001-01-01T00:00:00", "0003-03-01T00:00:00"},
		{"Asia/Shanghai", "1985-01-31T00:00:00", "1993-01-01T00:00:00"},
	}
	steps := []Step{{Days: 1}, {Days: 2}, {Days: 7}, {Days: 30}, {Months: 1}, {Months: 3}, {Months: 12}}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, sp := range spans {
		loc := mustZone(t, sp.zone)
		start, err := time.ParseInLocation("2006-01-02T15:04:05", sp.start, loc)
		if err != nil {
			t.Fatal(err)
		}
		end, err := time.ParseInLocation("2006-01-02T15:04:05", sp.end, loc)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range steps {
			for k := range 6 {
				s, e := start, end
				if k > 0 { // shift both ends by up to a few days, by whole minutes
					s = s.Add(time.Duration(rng.IntN(4*24*60)) * time.Minute)
					e = e.Add(-time.Duration(rng.IntN(4*24*60)) * time.Minute)
				}
				j := &Job{Timezone: loc, Window: &Window{Start: s, End: e, Every: &st}}
				name := fmt.Sprintf("%s %s..%s every %+v", sp.zone, s, e, st)
				if got, want := j.WindowCount(), iterCount(j); got != want {
					t.Errorf("%s: WindowCount = %d, the windows are %d", name, got, want)
				}
			}
		}
	}
}

func TestWindowCountOverTheWholeCalendar(t *testing.T) {
	// Daily windows over years 0001-9999 in 1,000 jobs used to be walked, 3.65 million
	// windows a job: the count is now computed from a few boundaries.
	loc := mustZone(t, "America/New_York")
	j := Job{Name: "j", Type: "workflow", Bucket: "b-1", Region: "ap-beijing", Timezone: loc,
		Prefixes: []string{"a/"}, Workflows: []string{"w"},
		Window: &Window{Start: time.Date(1, 1, 1, 0, 0, 0, 0, loc), End: time.Date(9999, 12, 31, 0, 0, 0, 0, loc), Every: &Step{Days: 1}}}
	p := &Plan{Name: "p", Generation: 1}
	for i := range 1000 {
		j.Name = fmt.Sprintf("j%d", i)
		p.Jobs = append(p.Jobs, j)
	}
	days := int((time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC).Unix() - time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).Unix()) / 86400)
	if got := p.Count(); got != 1000*days {
		t.Errorf("Count = %d, want %d", got, 1000*days)
	}
	if n, over := p.CountUpTo(10_000); !over || n <= 10_000 {
		t.Errorf("CountUpTo(10000) = %d, %v; want more than 10000, true", n, over)
	}
}
