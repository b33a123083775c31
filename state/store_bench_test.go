package state

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/planrun/planrun/plan"
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
	p := hourlyPlanB(b, b.N)
	ctx := context.Background()
	const batch = 64
	var intents []Record
	flush := func() {
		if err := store.Sync(ctx, &Write{Records: intents}); err != nil {
			b.Fatal(err)
		}
		for _, r := range intents {
			r.Status, r.JobID, r.JobState, r.RequestID = RowTriggered, "ib1234567890", "Submitted", "NjQ1ZjE2"
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
		intents = append(intents, RecordFor(&r, RowSending))
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

// hourlyPlanB is a plan of one workflow job of n hourly windows, for benchmarks.
func hourlyPlanB(b *testing.B, n int) *plan.Plan {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	y := fmt.Sprintf("version: 1\nname: bench\ndefaults:\n  bucket: %s\n  region: %s\n  workflow: w7476ff3564ee45b7b490d64bccaba6cc\n"+
		"jobs:\n  - name: hourly\n    prefix: input/video/\n    window:\n      start: %s\n      end: %s\n      every: 1h\n",
		testBucket, testRegion, start.Format(time.RFC3339), start.Add(time.Duration(n)*time.Hour).Format(time.RFC3339))
	p, err := plan.Parse("bench.yaml", []byte(y))
	if err != nil {
		b.Fatal(err)
	}
	return p
}
