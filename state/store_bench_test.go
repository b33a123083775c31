package state

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan/request"
)

// BenchmarkStoreRequestWrites measures what keeping state costs per request in a run:
// intents committed in batches of 64 ahead of the sends, then one result row per request,
// group-committed by the writer. It reports µs per request.
func BenchmarkStoreRequestWrites(b *testing.B) {
	store, err := Open(filepath.Join(b.TempDir(), "state.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	p := testenv.Plan{Name: "bench", Hours: b.N}.Parse(b)
	ctx := context.Background()
	const batch = 64
	var intents []Record
	flush := func() {
		if err := store.Sync(ctx, &Write{Records: intents}); err != nil {
			b.Fatal(err)
		}
		for _, r := range intents {
			r.Status, r.JobID, r.JobState, r.RequestID = request.Triggered, "ib1234567890", "Submitted", "NjQ1ZjE2"
			if err := store.Send(&Write{Records: []Record{r}}); err != nil {
				b.Fatal(err)
			}
		}
		intents = intents[:0]
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for r := range p.Requests() {
		intents = append(intents, RecordFor(&r, request.Sending))
		if n++; len(intents) == batch {
			flush()
		}
		if n == b.N {
			break
		}
	}
	flush()
	if err := store.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/request")
}
