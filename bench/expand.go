package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// benchExpansion measures streaming expansion: the peak RSS of `run --dry-run --format
// json` (stdout to the null device) at a large and a ten times smaller size, and the
// figure of plan's BenchmarkRequests (expansion alone, no output).
func benchExpansion(ctx context.Context, b *bench, t *table) error {
	const area = "1 expansion"
	big, small := b.expandN, b.expandN/10
	var rss [2]int64
	for i, n := range []int{big, small} {
		p, err := writeWindowPlan(b.dir, fmt.Sprintf("expand-%d", n), bucketFor("expand"), n)
		if err != nil {
			return err
		}
		// Peak RSS varies by a few MiB from run to run (the live heap stays under 1 MiB, but
		// a GC cycle delayed by a busy CPU lets garbage pile up for a moment): median of 5.
		var runs []procResult
		for range 5 {
			res, err := runProc(ctx, b.dir, nil, true, b.bin, "run", "--dry-run", "--format", "json", "--max-requests", "0", p)
			if err != nil {
				return err
			}
			runs = append(runs, res)
		}
		slices.SortFunc(runs, func(a, b procResult) int { return cmp.Compare(a.MaxRSS, b.MaxRSS) })
		res := runs[len(runs)/2]
		rss[i] = res.MaxRSS
		t.add(area, fmt.Sprintf("`run --dry-run --format json`, %s requests > /dev/null: peak RSS (median of 5; min %s, max %s)",
			thousands(n), mib(runs[0].MaxRSS), mib(runs[len(runs)-1].MaxRSS)),
			mib(res.MaxRSS), "<= 64 MiB", check(res.MaxRSS <= 64<<20))
		t.add(area, "the same: wall time (rate, JSON + XML rendering included)",
			fmt.Sprintf("%.2f s (%s)", res.Wall.Seconds(), perSec(float64(n)/res.Wall.Seconds())), "", nil)
	}
	ratio := float64(rss[0]) / float64(rss[1])
	t.add(area, fmt.Sprintf("median peak RSS at %s / at %s requests", thousands(big), thousands(small)),
		fmt.Sprintf("%.2f", ratio), "<= 1.10", check(ratio <= 1.10))

	rate, err := benchRequests(ctx, b)
	if err != nil {
		return err
	}
	t.add(area, "expansion alone (plan BenchmarkRequests, no output)", perSec(rate), ">= 1M req/s", check(rate >= 1e6))
	return nil
}

// benchRequests runs plan's BenchmarkRequests and returns its requests/s metric.
func benchRequests(ctx context.Context, b *bench) (float64, error) {
	res, err := runProc(ctx, b.root, nil, false, "go", "test", "-run", "^$", "-bench", "^BenchmarkRequests$",
		"-benchtime", strconv.Itoa(b.expandN)+"x", "-count", "1", "./plan")
	if err != nil {
		return 0, err
	}
	return parseMetric(res.Stdout, "BenchmarkRequests", "requests/s")
}

// parseMetric finds the value of unit on the result line of benchmark name in go test
// output ("BenchmarkX-2  1000  123 ns/op  4567 requests/s ...").
func parseMetric(out []byte, name, unit string) (float64, error) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 3 || (f[0] != name && !strings.HasPrefix(f[0], name+"-")) {
			continue
		}
		for i := 2; i+1 < len(f); i++ {
			if f[i+1] == unit {
				v, err := strconv.ParseFloat(f[i], 64)
				if err != nil {
					return 0, fmt.Errorf("parse %s %s: %w", name, unit, err)
				}
				return v, nil
			}
		}
	}
	return 0, fmt.Errorf("no %s metric of %s in the go test output", unit, name)
}

// thousands renders n with comma separators.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
