package grid

import (
	"bytes"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/planrun/planrun/plan/request"
)

// largeGrid is a plan of 100,000 requests shaped as rows × windows (daily windows from
// 2024-01-01; windows 0 means one request per row without a window), with a failure every
// 997 requests.
func largeGrid(rows, windows int) *Grid {
	g := NewGrid(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	day0 := time.Date(2024, 1, 1, 0, 0, 0, 0, gridZone)
	n := 0
	for r := range rows {
		for w := range max(windows, 1) {
			c := GridCell{Key: request.Key{Plan: "big-backfill", Job: "videos", InputKind: "Prefix",
				Input:    fmt.Sprintf("input/video/%05d/", r/2),
				Workflow: []string{"w7476ff3564ee45b7b490d64bccaba6cc", "w0000000000000000000000000000000a"}[r%2],
				Name:     fmt.Sprintf("big-backfill-videos-%d-%08x", n, n*2654435761%(1<<32))},
				JobID: fmt.Sprintf("i%031x", n+1), State: GridSuccess, JobState: "Success", Objects: 400, HasCounts: true}
			if windows > 0 {
				c.Start, c.End = day0.AddDate(0, 0, w), day0.AddDate(0, 0, w+1)
			}
			if n%997 == 0 {
				c.State, c.JobState, c.Code, c.Message, c.ObjectsFailed = GridFailed, "Failed", "InternalError", "node failed", 3
			}
			g.Add(c)
			n++
		}
	}
	return g
}

// BenchmarkGridPage writes the page of 100,000 requests in three shapes and opens it in
// headless Chromium: bytes is the page's size, write-ms the time to render it in Go, load-ms
// the time from navigation to the load event and paint-ms to the first contentful paint.
// Run: go test ./report/grid -run '^$' -bench GridPage -benchtime 1x
func BenchmarkGridPage(b *testing.B) {
	br := startBrowser(b)
	for _, shape := range []struct{ rows, windows int }{{200, 500}, {1000, 100}, {100000, 0}} {
		b.Run(fmt.Sprintf("%drows×%dwindows", shape.rows, shape.windows), func(b *testing.B) {
			g := largeGrid(shape.rows, shape.windows)
			dir := b.TempDir()
			for b.Loop() {
				var page bytes.Buffer
				start := time.Now()
				if err := WriteGridHTML(&page, g); err != nil {
					b.Fatal(err)
				}
				write := time.Since(start)
				path := writeFile(b, dir, "big.html", page.Bytes())
				start = time.Now()
				br.open(path)
				var t struct{ Load, Paint, Cells float64 }
				br.eval(`new Promise(done => requestAnimationFrame(() => setTimeout(() => done({
					load: performance.getEntriesByType("navigation")[0].loadEventEnd,
					paint: (performance.getEntriesByName("first-contentful-paint")[0] || {startTime: -1}).startTime,
					cells: document.querySelectorAll("td.c").length}), 0)))`, &t)
				wall := time.Since(start)
				b.ReportMetric(float64(page.Len()), "bytes")
				b.ReportMetric(float64(write.Milliseconds()), "write-ms")
				b.ReportMetric(t.Load, "load-ms")
				b.ReportMetric(t.Paint, "paint-ms")
				b.ReportMetric(float64(wall.Milliseconds()), "open-ms")
				b.ReportMetric(t.Cells, "cells")
				if dir := os.Getenv("PLANRUN_GRID_SHOTS"); dir != "" {
					writeFile(b, dir, fmt.Sprintf("big-%d-%d.png", shape.rows, shape.windows), br.screenshot())
				}
			}
		})
	}
}
