package plan

import (
	"errors"
	"strings"
	"testing"

	"github.com/planrun/planrun/plan/request"
)

func selected(t *testing.T, sel *Selector, p *Plan) []string {
	t.Helper()
	var got []string
	for r := range p.Requests() {
		if sel.Keep(&r) {
			got = append(got, r.Job+" "+r.StartText())
		}
	}
	return got
}

func TestSelectionJobs(t *testing.T) {
	p := orderPlan(t)
	for _, names := range [][]string{{"inventory"}, {"order/inventory"}} {
		sel, err := Selection{Jobs: names}.Compile([]*Plan{p})
		if err != nil {
			t.Fatal(err)
		}
		if got := selected(t, sel, p); len(got) != 1 || got[0] != "inventory " {
			t.Errorf("--job %v keeps %q, want the inventory request", names, got)
		}
	}
	_, err := Selection{Jobs: []string{"inventory", "dayz"}}.Compile([]*Plan{p})
	if !errors.Is(err, ErrUnknownJob) {
		t.Fatalf("unknown job: err %v, want ErrUnknownJob", err)
	}
	for _, want := range []string{"dayz", "days, inventory, node"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	if strings.Contains(strings.SplitN(err.Error(), ";", 2)[0], "inventory") {
		t.Errorf("error %q names the known job as unknown", err)
	}
}

func TestSelectionWindowsOverlap(t *testing.T) {
	p := orderPlan(t) // days: 2024-01-01, 01-02, 01-03 (half day), Asia/Shanghai, x4 combos
	cases := []struct {
		since, until string
		want         int // windows per (prefix, workflow) pair
	}{
		{"2024-01-02", "", 2},
		{"", "2024-01-01", 1},                                         // a date until includes the day
		{"", "2024-01-02T00:00:00+08:00", 1},                          // a time until is exclusive
		{"2024-01-01T12:00:00+08:00", "2024-01-02T00:00:01+08:00", 2}, // overlap, not inclusion
		{"2024-01-01T16:00:00Z", "", 2},                               // 2024-01-02 00:00 in Shanghai
		{"2023-01-01", "2023-12-31", 0},
	}
	for _, c := range cases {
		sel, err := Selection{Since: c.since, Until: c.until}.Compile([]*Plan{p})
		if err != nil {
			t.Fatalf("%s..%s: %v", c.since, c.until, err)
		}
		got := selected(t, sel, p)
		if len(got) != 4*c.want {
			t.Errorf("%s..%s keeps %d requests %q, want %d", c.since, c.until, len(got), got, 4*c.want)
		}
		for _, g := range got {
			if !strings.HasPrefix(g, "days ") {
				t.Errorf("%s..%s keeps %q: requests without a window are left out of a time range", c.since, c.until, g)
			}
		}
		if sel.Any([]*Plan{p}) != (c.want > 0) {
			t.Errorf("%s..%s: Any = %v", c.since, c.until, !(c.want > 0))
		}
	}
	if _, err := (Selection{Since: "2024-02-01", Until: "2024-01-01"}).Compile([]*Plan{p}); err == nil {
		t.Error("until before since: no error")
	}
	if _, err := (Selection{Since: "yesterday"}).Compile([]*Plan{p}); err == nil {
		t.Error("--since yesterday: no error")
	}
}

func TestZeroSelectionKeepsAll(t *testing.T) {
	p := orderPlan(t)
	sel, err := Selection{}.Compile([]*Plan{p})
	if err != nil {
		t.Fatal(err)
	}
	if got := selected(t, sel, p); len(got) != p.Count() {
		t.Errorf("zero selection keeps %d of %d", len(got), p.Count())
	}
	var nilSel *Selector
	if !nilSel.Match(&request.Key{Plan: "x", Job: "y"}) {
		t.Error("nil selector drops a request")
	}
}
