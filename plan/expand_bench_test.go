package plan

import (
	"testing"
	"time"
)

// BenchmarkRequests measures streaming expansion of a windowed workflow job (30-minute
// windows over several years) and reports requests per second.
func BenchmarkRequests(b *testing.B) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		b.Fatal(err)
	}
	p := &Plan{Name: "bench-plan", Generation: 1, Jobs: []Job{{
		Name: "videos", Type: "workflow", Bucket: "examplebucket-1250000000", Region: "ap-beijing",
		Timezone: loc, TZName: "Asia/Shanghai",
		Prefixes:  []string{"input/video/"},
		Workflows: []string{"w7476ff3564ee45b7b490d64bccaba6cc"},
		Window: &Window{
			Start: time.Date(2000, 1, 1, 0, 0, 0, 0, loc),
			End:   time.Date(2100, 1, 1, 0, 0, 0, 0, loc),
			Every: &Step{Duration: 30 * time.Minute, Text: "30m"},
		},
	}}}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for n < b.N {
		for r := range p.Requests() {
			if r.Name == "" {
				b.Fatal("empty name")
			}
			n++
			if n == b.N {
				break
			}
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "requests/s")
}
