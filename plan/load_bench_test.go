package plan

import (
	"fmt"
	"strings"
	"testing"
)

// manyJobsPlan is a plan of n jobs of five kinds (windowed prefix, object, manifest,
// URL file, job with output), the shape `go run ./bench -only validate` loads.
func manyJobsPlan(n int) []byte {
	const bucket, region = "benchvalidate-1250000000", "ap-beijing"
	var b strings.Builder
	fmt.Fprintf(&b, "version: 1\nname: many\ndefaults:\n  bucket: %s\n  region: %s\n  workflow: w7476ff3564ee45b7b490d64bccaba6cc\n  timezone: Asia/Shanghai\njobs:\n", bucket, region)
	for i := range n {
		fmt.Fprintf(&b, "  - name: job-%06d\n", i)
		switch i % 5 {
		case 0:
			fmt.Fprintf(&b, "    prefix: input/%d/\n    window:\n      start: 2024-01-01T00:00:00+08:00\n      end: 2024-01-02T00:00:00+08:00\n", i)
		case 1:
			fmt.Fprintf(&b, "    object: input/%d/video.mp4\n", i)
		case 2:
			fmt.Fprintf(&b, "    manifest: https://%s.cos.%s.myqcloud.com/cos_bucket_inventory/1250000000/b/daily/%d/manifest.json\n", bucket, region, i)
		case 3:
			fmt.Fprintf(&b, "    url_file: https://%s.cos.%s.myqcloud.com/lists/%d.txt\n", bucket, region, i)
		case 4:
			fmt.Fprintf(&b, "    type: job\n    prefix: raw/%d/\n    job:\n      tag: Transcode\n      template_id: t1460606b9752148c4ab182f55163ba7cd\n      output:\n        region: %s\n        bucket: benchout-1250000000\n        object: out/%d/${InputName}.mp4\n", i, region, i)
		}
	}
	return []byte(b.String())
}

// BenchmarkParseManyJobs measures Parse of a plan with 10,000 jobs and reports the
// time per job.
func BenchmarkParseManyJobs(b *testing.B) {
	const n = 10000
	data := manyJobsPlan(n)
	if _, err := Parse("many.yaml", data); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Parse("many.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/job")
}
