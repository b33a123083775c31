package objects

import (
	"context"
	"runtime"
	"testing"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan/request"
)

// BenchmarkResults100k reads the results of one batch job of 100,000 objects (1% failed)
// from the emulator on loopback. It reports the API calls per read and the most heap that
// the read added above what the emulator holds (sampled every 5,000 records), to show
// that results stream: the heap stays near one page whatever the object count.
func BenchmarkResults100k(b *testing.B) {
	const objects = 100_000
	emu, c := testenv.Start(b, emulator.Options{Objects: emulator.ObjectOptions{PerPrefix: objects, FailRate: 0.01}})
	req := &ciapi.CreateRequest{Name: "bench", Type: ciapi.TypeWorkflow, Input: ciapi.Input{Prefix: "in/"},
		Operation: ciapi.Operation{WorkflowIds: resWorkflow}}
	resp, err := c.Create(context.Background(), testBucket, testRegion, req)
	if err != nil {
		b.Fatal(err)
	}
	jobs := []executor.BatchJob{{Key: request.Key{Plan: "p", Job: "j", Name: "bench", Bucket: testBucket, Region: testRegion,
		Workflow: resWorkflow}, ID: resp.JobsDetail.JobId}}
	_ = emu.Server.Executions(resp.JobsDetail.JobId) // the emulator makes its executions now
	var ms runtime.MemStats
	b.ResetTimer()
	peak := uint64(0)
	before := emu.Server.Stats()
	for range b.N {
		runtime.GC()
		runtime.ReadMemStats(&ms)
		base := ms.HeapAlloc
		n := 0
		counts, err := Results(context.Background(), c, jobs, executor.Options{Parallel: 8}, func(executor.ObjectResult) error {
			if n++; n%5000 == 0 {
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > base {
					peak = max(peak, ms.HeapAlloc-base)
				}
			}
			return nil
		})
		if err != nil || counts[0].Objects != objects || counts[0].Err != nil {
			b.Fatalf("%+v, %v", counts, err)
		}
	}
	b.StopTimer()
	after := emu.Server.Stats()
	calls := func(s emulator.Stats) int {
		return s.Calls[emulator.OpListExecutions] + s.Calls[emulator.OpDescribeExecution] + s.Calls[emulator.OpDescribe]
	}
	b.ReportMetric(float64(calls(after)-calls(before))/float64(b.N), "calls/op")
	b.ReportMetric(float64(after.Calls[emulator.OpListExecutions]-before.Calls[emulator.OpListExecutions])/float64(b.N), "lists/op")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}
