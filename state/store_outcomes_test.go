package state

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/planrun/planrun/plan/request"
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
	row := func(i int, status request.Status) Record {
		return Record{Key: request.Key{Plan: "p", Name: fmt.Sprintf("p-j-%03d", i), Bucket: "b-1250000000",
			Region: "ap-beijing", Job: "j", Seq: i, Type: "Workflow", InputKind: "Prefix", Input: "in/", Workflow: "w",
			Start: testStart, End: testEnd}, Digest: fmt.Sprintf("d%03d", i), Status: status}
	}
	var intents []Record
	for i := range 20 {
		intents = append(intents, row(i, request.Sending))
	}
	if err := store.Sync(ctx, &Write{Records: intents}); err != nil {
		t.Fatal(err)
	}
	outcome := func(i int, status request.Status, jobID string) Record {
		r := row(i, status)
		r.JobID, r.JobState, r.Attempts = jobID, "Submitted", 1
		return r
	}
	ops := []*Write{
		{Records: []Record{outcome(0, request.Failed, "")}},
		{Records: []Record{outcome(1, request.Triggered, "first")}},
		{Records: []Record{outcome(0, request.Triggered, "later")}}, // same request again
		{Jobs: []JobSeen{{Plan: "p", Name: "p-j-001", State: "Running"}}},
		{Records: []Record{outcome(2, request.Triggered, "j2")}},
		{Jobs: []JobSeen{{Plan: "p", Name: "p-j-002", State: "Success"}}},
		{Records: []Record{outcome(3, request.Triggered, "j3")}},
		{Records: []Record{outcome(3, request.Triggered, "j3b")}},
	}
	for _, op := range ops {
		if err := store.Send(op); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string][3]string{ // status, job id, job state
		"p-j-000": {string(request.Triggered), "later", "Submitted"},
		"p-j-001": {string(request.Triggered), "first", "Running"},
		"p-j-002": {string(request.Triggered), "j2", "Success"},
		"p-j-003": {string(request.Triggered), "j3b", "Submitted"},
		"p-j-004": {string(request.Sending), "", ""},
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
