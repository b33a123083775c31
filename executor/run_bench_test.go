package executor

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/state"
)

// BenchmarkRun measures Run end to end against an in-process emulator: b.N requests of a
// fresh plan, 32 in flight, no rate limit, a fresh state file. Profile it with
// -cpuprofile/-memprofile (the emulator's share shows under ciapi/emulator).
func BenchmarkRun(b *testing.B) {
	_, client := testenv.Start(b, emulator.Options{Seed: 1})
	store, err := state.Open(filepath.Join(b.TempDir(), "state.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	plans := []*plan.Plan{testenv.Plan{Name: "bench", Hours: b.N}.Parse(b)}
	b.ReportAllocs()
	b.ResetTimer()
	sum, err := Run(context.Background(), client, store, plans, Options{Parallel: 32})
	if err != nil || sum.Total.Triggered != b.N {
		b.Fatalf("run: %v (%d triggered, want %d)", err, sum.Total.Triggered, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
}
