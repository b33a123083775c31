package main

import (
	"testing"
	"time"

	_ "github.com/planrun/planrun/internal/testflag" // accepts -update
)

func TestMaxInWindow(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms ...int) []time.Time {
		var ts []time.Time
		for _, m := range ms {
			ts = append(ts, t0.Add(time.Duration(m)*time.Millisecond))
		}
		return ts
	}
	cases := []struct {
		name string
		ts   []time.Time
		want int
	}{
		{"none", nil, 0},
		{"one", at(5), 1},
		{"window is half-open", at(0, 999, 1000), 2},
		{"burst then spread", at(0, 0, 0, 0, 500, 1500, 1600, 1700), 5},
		{"unsorted input", at(1700, 0, 1600, 1500), 3},
	}
	for _, c := range cases {
		if got := maxInWindow(c.ts, time.Second); got != c.want {
			t.Errorf("%s: maxInWindow = %d, want %d", c.name, got, c.want)
		}
	}
}

func TestSpanRate(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var ts []time.Time
	for i := range 101 {
		ts = append(ts, t0.Add(time.Duration(i)*10*time.Millisecond)) // 100 per second
	}
	if got := spanRate(ts); got < 99.99 || got > 100.01 {
		t.Errorf("spanRate = %v, want 100", got)
	}
	if got := spanRate(ts[:1]); got != 0 {
		t.Errorf("spanRate of one event = %v, want 0", got)
	}
}

func TestParseMetric(t *testing.T) {
	out := []byte("goos: linux\nBenchmarkRequests-2   \t 1000000\t       650.3 ns/op\t   1537768 requests/s\t     720 B/op\t      10 allocs/op\nPASS\n")
	v, err := parseMetric(out, "BenchmarkRequests", "requests/s")
	if err != nil || v != 1537768 {
		t.Fatalf("parseMetric = %v, %v; want 1537768", v, err)
	}
	if _, err := parseMetric(out, "BenchmarkOther", "requests/s"); err == nil {
		t.Fatal("parseMetric found a metric of a benchmark that did not run")
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1000000: "1,000,000", 12345: "12,345"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
