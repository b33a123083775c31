package executor

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
	row := func(i int, status string) Record {
		return Record{Plan: "p", Name: fmt.Sprintf("p-j-%03d", i), Bucket: "b-1250000000", Region: "ap-beijing",
			Job: "j", Seq: i, Digest: fmt.Sprintf("d%03d", i), Type: "Workflow", InputKind: "Prefix", Input: "in/",
			Workflow: "w", WindowStart: "s", WindowEnd: "e", Status: status}
	}
	var intents []Record
	for i := range 20 {
		intents = append(intents, row(i, RowSending))
	}
	if err := store.w.sync(ctx, &writeOp{records: intents}); err != nil {
		t.Fatal(err)
	}
	outcome := func(i int, status, jobID string) Record {
		r := row(i, status)
		r.JobID, r.JobState, r.Attempts = jobID, "Submitted", 1
		return r
	}
	ops := []*writeOp{
		{records: []Record{outcome(0, RowFailed, "")}},
		{records: []Record{outcome(1, RowTriggered, "first")}},
		{records: []Record{outcome(0, RowTriggered, "later")}}, // same request again
		{jobs: []jobSeen{{plan: "p", name: "p-j-001", state: "Running"}}},
		{records: []Record{outcome(2, RowTriggered, "j2")}},
		{jobs: []jobSeen{{plan: "p", name: "p-j-002", state: "Success"}}},
		{records: []Record{outcome(3, RowTriggered, "j3")}},
		{records: []Record{outcome(3, RowTriggered, "j3b")}},
	}
	for _, op := range ops {
		if err := store.w.send(op); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string][3]string{ // status, job id, job state
		"p-j-000": {RowTriggered, "later", "Submitted"},
		"p-j-001": {RowTriggered, "first", "Running"},
		"p-j-002": {RowTriggered, "j2", "Success"},
		"p-j-003": {RowTriggered, "j3b", "Submitted"},
		"p-j-004": {RowSending, "", ""},
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
		if g := [3]string{got.Status, got.JobID, got.JobState}; g != w {
			t.Errorf("row %s: status, job id, state = %q, want %q", got.Name, g, w)
		}
	}
	if seen != len(want) {
		t.Errorf("saw %d of the %d rows checked", seen, len(want))
	}
}
