package state

import (
	"context"
	"fmt"
	"testing"

	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
)

func TestLatestShowsEachRequestOnceAtItsLatestAttempt(t *testing.T) {
	s := openStore(t, "")
	x := "p-j-20240101T0000-0123456789abcdef"
	y := "p-j-20240101T0100-fedcba9876543210"
	row := func(name string, seq int, state string) Record {
		return Record{Key: request.Key{Plan: "p", Name: name, Job: "j", Seq: seq},
			Status: request.Triggered, JobID: "id-" + name, JobState: state}
	}
	rows := []Record{row(x, 0, "Failed"), row(y, 1, "Success"), row(plan.AttemptName(x, 2), 0, "Failed"),
		row(plan.AttemptName(x, 10), 0, "Running"), row(plan.AttemptName(x, 3), 0, "Failed")}
	if err := s.Sync(context.Background(), &Write{Records: rows}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for r, err := range s.Latest(context.Background(), "p") {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %s %d", r.Name, r.JobState, r.Attempt()))
	}
	want := []string{x + "-a10 Running 10", y + " Success 1"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Latest = %q, want %q", got, want)
	}
	n := 0
	for _, err := range s.Records(context.Background(), "p") {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != len(rows) {
		t.Errorf("Records yields %d rows, want every attempt's (%d)", n, len(rows))
	}
}
