package state

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// TestWriterOutcomesKeepWriteOrder checks the multi-row outcome statement where it could
// reorder writes: two outcomes of one request in one statement (the last one wins), and
// job states queued between outcomes (each write lands in the order it was sent).
func TestWriterOutcomesKeepWriteOrder(t *testing.T) {
	store, err := Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	row := func(i int, status RowStatus) Record {
		return Record{Plan: "p", Name: fmt.Sprintf("p-j-%03d", i), Bucket: "b-1250000000", Region: "ap-beijing",
			Job: "j", Seq: i, Digest: fmt.Sprintf("d%03d", i), Type: "Workflow", InputKind: "Prefix", Input: "in/",
			Workflow: "w", WindowStart: "s", WindowEnd: "e", Status: status}
	}
	var intents []Record
	for i := range 20 {
		intents = append(intents, row(i, RowSending))
	}
	if err := store.Sync(ctx, &Write{Records: intents}); err != nil {
		t.Fatal(err)
	}
	outcome := func(i int, status RowStatus, jobID string) Record {
		r := row(i, status)
		r.JobID, r.JobState, r.Attempts = jobID, "Submitted", 1
		return r
	}
	ops := []*Write{
		{Records: []Record{outcome(0, RowFailed, "")}},
		{Records: []Record{outcome(1, RowTriggered, "first")}},
		{Records: []Record{outcome(0, RowTriggered, "later")}}, // same request again
		{Jobs: []JobSeen{{Plan: "p", Name: "p-j-001", State: "Running"}}},
		{Records: []Record{outcome(2, RowTriggered, "j2")}},
		{Jobs: []JobSeen{{Plan: "p", Name: "p-j-002", State: "Success"}}},
		{Records: []Record{outcome(3, RowTriggered, "j3")}},
		{Records: []Record{outcome(3, RowTriggered, "j3b")}},
	}
	for _, op := range ops {
		if err := store.Send(op); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string][3]string{ // status, job id, job state
		"p-j-000": {string(RowTriggered), "later", "Submitted"},
		"p-j-001": {string(RowTriggered), "first", "Running"},
		"p-j-002": {string(RowTriggered), "j2", "Success"},
		"p-j-003": {string(RowTriggered), "j3b", "Submitted"},
		"p-j-004": {string(RowSending), "", ""},
	}
	seen := 0
	for got, err := range store.Records(ctx, "p") {
		if err != nil {
			t.Fatal(err)
		}
		w, ok := want[got.Name]
		if !ok {
			continue
		}
		seen++
		if g := [3]string{string(got.Status), got.JobID, got.JobState}; g != w {
			t.Errorf("row %s: status, job id, state = %q, want %q", got.Name, g, w)
		}
	}
	if seen != len(want) {
		t.Errorf("saw %d of the %d rows checked", seen, len(want))
	}
}
