package state

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/planrun/planrun/plan/request"
)

// TestWriterRowsMatchWholeRowWrites checks the cheaper write paths (multi-row intents,
// narrow outcome updates) against what the state must hold: every row as its last write
// says, whatever mix of intents, outcomes, repeats and outcomes without an intent row
// (a job found on the service) a batch holds.
func TestWriterRowsMatchWholeRowWrites(t *testing.T) {
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
	want := map[string]Record{}
	var intents []Record
	for i := range 40 { // more than two chunks
		intents = append(intents, row(i, request.Sending))
	}
	intents = append(intents, row(3, request.Planned)) // a repeat in the same statement run
	if err := store.Sync(ctx, &Write{Records: intents}); err != nil {
		t.Fatal(err)
	}
	for _, r := range intents {
		want[r.Name] = r
	}
	var mixed []Record
	for i := range 45 {
		r := row(i, request.Triggered)
		switch {
		case i == 1: // the intent of a request whose outcome follows in the same batch
			r.Status = request.Sending
		case i%7 == 0:
			r.Status, r.ErrorCode, r.ErrorMessage, r.RequestID, r.Attempts = request.Failed, "SlowDown", "slow", "rid", 6
		case i >= 40: // found on the service: no intent row before
			r.Status, r.JobID, r.JobState, r.JobCreated = request.Skipped, fmt.Sprintf("j%d", i), "Success", "2024-01-01T00:00:00+0800"
		case i == 5: // moved in the plan: same name, new position
			r.Seq, r.JobID = 99, "moved"
		default:
			r.JobID, r.JobState, r.JobCreated, r.Attempts, r.RequestID = fmt.Sprintf("j%d", i), "Submitted", "2024-01-01T00:00:00+0800", 1, "rid"
		}
		mixed = append(mixed, r)
	}
	mixed = append(mixed, row(1, request.Triggered))
	var one Record // SendRecord copies: the caller's record is reused at once
	for i, r := range mixed {
		var err error
		if one = r; i%3 == 0 {
			err = store.Send(&Write{Records: []Record{r}})
		} else {
			err = store.SendRecord(&one)
		}
		if err != nil {
			t.Fatal(err)
		}
		one = Record{}
		want[r.Name] = r
	}
	n := 0
	for got, err := range store.Records(ctx, "p") {
		if err != nil {
			t.Fatal(err)
		}
		n++
		w := want[got.Name]
		got.CreatedAt, got.UpdatedAt = w.CreatedAt, w.UpdatedAt
		if got != w {
			t.Errorf("row %s:\n got %+v\nwant %+v", got.Name, got, w)
		}
	}
	if n != len(want) {
		t.Errorf("%d rows, want %d", n, len(want))
	}
}

// Rows sent one by one with SendRecord from many goroutines, beside Syncs, are committed
// in the order each goroutine sent them: a Sync returns once everything its goroutine sent
// before is committed, and the last write of a row wins, across batches of any size.
func TestSendRecordOrder(t *testing.T) {
	store := openStore(t, filepath.Join(t.TempDir(), "s.db"))
	ctx := context.Background()
	row := func(g, i int, status request.Status) Record {
		return Record{Key: request.Key{Plan: "p", Name: fmt.Sprintf("p-g%d-%04d", g, i), Bucket: "b-1250000000",
			Region: "ap-beijing", Job: "j", Seq: g*10000 + i, Type: "Workflow", InputKind: "Prefix", Input: "in/",
			Workflow: "w"}, Digest: "d", Status: status}
	}
	const goroutines, rows = 4, 700 // several owned ops and batches each
	errs := make(chan error, goroutines)
	for g := range goroutines {
		go func() {
			errs <- func() error {
				for i := range rows {
					r := row(g, i, request.Sending)
					if err := store.SendRecord(&r); err != nil {
						return err
					}
					r.Status, r.JobID, r.Attempts = request.Triggered, fmt.Sprintf("job%d", i), 1
					if err := store.SendRecord(&r); err != nil {
						return err
					}
					if i%100 != 99 {
						continue
					}
					if err := store.Sync(ctx, nil); err != nil {
						return err
					}
					got, ok, err := store.Lookup(ctx, "p", r.Name)
					if err != nil || !ok || got.Status != request.Triggered || got.JobID != r.JobID {
						return fmt.Errorf("after Sync, row %s: %+v, %v, %v", r.Name, got, ok, err)
					}
				}
				return nil
			}()
		}()
	}
	for range goroutines {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	r := row(0, 0, request.Sending)
	if err := store.SendRecord(&r); err == nil {
		t.Error("SendRecord after Close: no error")
	}
	s := openStore(t, store.Path())
	n := 0
	for got, err := range s.Records(ctx, "p") {
		if err != nil {
			t.Fatal(err)
		}
		if n++; got.Status != request.Triggered || got.JobID == "" {
			t.Errorf("row %s: %+v, want its outcome", got.Name, got)
		}
	}
	if n != goroutines*rows {
		t.Errorf("%d rows, want %d", n, goroutines*rows)
	}
}

// Commit returns at once; its channel says when the write and everything sent before it
// are committed, and says why a write to a closed store is not.
func TestCommitWithoutWaiting(t *testing.T) {
	store := openStore(t, filepath.Join(t.TempDir(), "s.db"))
	ctx := context.Background()
	r := Record{Key: request.Key{Plan: "p", Name: "p-a", Bucket: "b-1250000000", Region: "ap-beijing", Job: "j",
		Type: "Workflow", InputKind: "Prefix", Input: "in/", Workflow: "w"}, Digest: "d", Status: request.Sending}
	before := r
	before.Name = "p-b"
	if err := store.SendRecord(&before); err != nil {
		t.Fatal(err)
	}
	done := store.Commit(&Write{Records: []Record{r}})
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"p-a", "p-b"} {
		if got, ok, err := store.Lookup(ctx, "p", name); err != nil || !ok || got.Status != request.Sending {
			t.Errorf("after the commit, row %s: %+v, %v, %v", name, got, ok, err)
		}
	}
	store.Close()
	if err := <-store.Commit(&Write{Records: []Record{r}}); err == nil {
		t.Error("Commit after Close: no error")
	}
}

// The create latencies a run records are read back by the next run on the state (the
// last write wins), and a state without any says so.
func TestCreateLatencyRoundTrips(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	s := openStore(t, path)
	ctx := context.Background()
	if _, ok, err := s.CreateLatency(ctx); ok || err != nil {
		t.Fatalf("fresh state: ok=%v, %v; want none", ok, err)
	}
	for _, l := range []CreateLatency{{P99: time.Second}, {P99: 40 * time.Millisecond, Late: 2500 * time.Millisecond, Unresolved: 3, Timeout: time.Second}} {
		if err := s.Sync(ctx, &Write{Latency: &l}); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	got, ok, err := openStore(t, path).CreateLatency(ctx)
	want := CreateLatency{P99: 40 * time.Millisecond, Late: 2500 * time.Millisecond, Unresolved: 3, Timeout: time.Second}
	if err != nil || !ok || got != want {
		t.Fatalf("got %+v, %v, %v; want %+v", got, ok, err, want)
	}
}

// A latency equal to one written earlier, but not to the last, is written again: the
// writer skips only a value the file holds already.
func TestCreateLatencyRepeatedValue(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	s := openStore(t, path)
	ctx := context.Background()
	a, b := CreateLatency{P99: time.Second}, CreateLatency{P99: 2 * time.Second}
	for _, l := range []CreateLatency{a, a, b, b, a} {
		if err := s.Sync(ctx, &Write{Latency: &l}); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	if got, ok, err := openStore(t, path).CreateLatency(ctx); err != nil || !ok || got != a {
		t.Fatalf("got %+v, %v, %v; want %+v", got, ok, err, a)
	}
}
