package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Identifiers every generated plan uses.
const (
	benchRegion   = "ap-beijing"
	benchWorkflow = "w7476ff3564ee45b7b490d64bccaba6cc"
	benchTemplate = "t1460606b9752148c4ab182f55163ba7cd"
)

// windowEpoch is where the windows of generated plans start.
var windowEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// bucketFor returns a well-formed bucket name of its own for one measurement.
func bucketFor(tag string) string { return "bench" + tag + "-1250000000" }

// writeWindowPlan writes a plan of one prefix job split into n hourly windows, i.e. n
// requests, all in bucket.
func writeWindowPlan(dir, name, bucket string, n int) (string, error) {
	end := windowEpoch.Add(time.Duration(n) * time.Hour)
	yaml := fmt.Sprintf(`version: 1
name: %s
defaults:
  bucket: %s
  region: %s
  workflow: %s
jobs:
  - name: hourly
    prefix: input/video/
    window:
      start: %s
      end: %s
      every: 1h
`, name, bucket, benchRegion, benchWorkflow, windowEpoch.Format(time.RFC3339), end.Format(time.RFC3339))
	return writeFile(dir, name+".yaml", yaml)
}

// writeManyJobsPlan writes a plan of n jobs of one request each, cycling through the four
// input kinds and both job types so that every validation path is exercised.
func writeManyJobsPlan(dir, name string, n int) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "version: 1\nname: %s\ndefaults:\n  bucket: %s\n  region: %s\n  workflow: %s\n  timezone: Asia/Shanghai\njobs:\n",
		name, bucketFor("validate"), benchRegion, benchWorkflow)
	for i := range n {
		fmt.Fprintf(&b, "  - name: job-%06d\n", i)
		switch i % 5 {
		case 0:
			fmt.Fprintf(&b, "    prefix: input/%d/\n    window:\n      start: 2024-01-01T00:00:00+08:00\n      end: 2024-01-02T00:00:00+08:00\n", i)
		case 1:
			fmt.Fprintf(&b, "    object: input/%d/video.mp4\n", i)
		case 2:
			fmt.Fprintf(&b, "    manifest: https://%s.cos.%s.myqcloud.com/cos_bucket_inventory/1250000000/b/daily/%d/manifest.json\n",
				bucketFor("validate"), benchRegion, i)
		case 3:
			fmt.Fprintf(&b, "    url_file: https://%s.cos.%s.myqcloud.com/lists/%d.txt\n", bucketFor("validate"), benchRegion, i)
		case 4:
			fmt.Fprintf(&b, "    type: job\n    prefix: raw/%d/\n    job:\n      tag: Transcode\n      template_id: %s\n      output:\n        region: %s\n        bucket: %s\n        object: out/%d/${InputName}.mp4\n",
				i, benchTemplate, benchRegion, bucketFor("out"), i)
		}
	}
	return writeFile(dir, name+".yaml", b.String())
}

// writeFile writes content to dir/name and returns the path.
func writeFile(dir, name, content string) (string, error) {
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		return "", fmt.Errorf("write plan: %w", err)
	}
	return p, nil
}
