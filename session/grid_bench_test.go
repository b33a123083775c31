package session

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/plan/request"
	"github.com/planrun/planrun/state"
)

// gridState writes a state of n requests shaped as a backfill: 10 prefixes × 2 workflows
// × hourly windows, a failure every 997 requests, object counts on none.
func gridState(tb testing.TB, n int) *state.Store {
	tb.Helper()
	ctx := context.Background()
	store, err := state.Open(filepath.Join(tb.TempDir(), "grid.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	h0 := time.Date(2024, 1, 1, 0, 0, 0, 0, gridZone)
	perRow := max(n/20, 1)
	var batch []state.Record
	for i := range n {
		row, w := i/perRow, i%perRow
		r := state.Record{Key: request.Key{Plan: "big-backfill", Job: "videos", Seq: i, Type: "Workflow", InputKind: "Prefix",
			Input:    fmt.Sprintf("input/video/%02d/", row/2),
			Workflow: []string{"w7476ff3564ee45b7b490d64bccaba6cc", "w0000000000000000000000000000000a"}[row%2],
			Start:    h0.Add(time.Duration(w) * time.Hour), End: h0.Add(time.Duration(w+1) * time.Hour),
			Name:   fmt.Sprintf("big-backfill-videos-%d-%08x", i, uint32(i*2654435761)),
			Bucket: "examplebucket-1250000000", Region: "ap-beijing"}, Status: request.Triggered, JobID: fmt.Sprintf("i%031x", i+1), JobState: ciapi.StateSuccess, Attempts: 1}
		if i%997 == 0 {
			r.JobState, r.ErrorCode, r.ErrorMessage = ciapi.StateFailed, "InternalError", "node failed"
		}
		batch = append(batch, r)
		if len(batch) == 20000 || i == n-1 {
			if err := store.Sync(ctx, &state.Write{Records: batch}); err != nil {
				tb.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	return store
}

// peakMeter samples the live heap while it runs and reads the process's peak RSS (its
// high-water mark, reset at the start on Linux).
type peakMeter struct {
	stop chan struct{}
	wg   sync.WaitGroup
	heap uint64
}

func startPeak() *peakMeter {
	runtime.GC()
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // resets VmHWM; harmless where absent
	m := &peakMeter{stop: make(chan struct{})}
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			m.heap = max(m.heap, sample[0].Value.Uint64())
			select {
			case <-m.stop:
				return
			case <-t.C:
			}
		}
	}()
	return m
}

// done returns the peak heap and the peak RSS (0 when unknown), in MiB.
func (m *peakMeter) done() (heap, rss float64) {
	close(m.stop)
	m.wg.Wait()
	return float64(m.heap) / (1 << 20), float64(vmHWM()) / (1 << 20)
}

// vmHWM is the process's peak RSS in bytes from /proc/self/status, 0 when unknown.
func vmHWM() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkStateGrid draws the grid of a state of 100,000 requests (and 1,000,000 with
// PLANRUN_BENCH_GRID_1M=1) as status --format html, --format markdown and --grid do,
// streamed from the state: peak-heap-MiB is the largest live heap seen while drawing,
// peak-rss-MiB the process's peak RSS since drawing began (both for a budget of 128 MiB).
// Run: go test ./session -run '^$' -bench StateGrid -benchtime 1x
func BenchmarkStateGrid(b *testing.B) {
	sizes := []int{100_000}
	if os.Getenv("PLANRUN_BENCH_GRID_1M") != "" {
		sizes = append(sizes, 1_000_000)
	}
	for _, n := range sizes {
		store := gridState(b, n)
		for _, format := range []string{"html", "markdown", "term"} {
			b.Run(fmt.Sprintf("%d/%s", n, format), func(b *testing.B) {
				for b.Loop() {
					m := startPeak()
					start := time.Now()
					if err := WriteStateGrid(context.Background(), io.Discard, format, store, nil, 80, false); err != nil {
						b.Fatal(err)
					}
					wall := time.Since(start)
					heap, rss := m.done()
					b.ReportMetric(heap, "peak-heap-MiB")
					b.ReportMetric(rss, "peak-rss-MiB")
					b.ReportMetric(float64(wall.Milliseconds()), "wall-ms")
				}
			})
		}
	}
}
