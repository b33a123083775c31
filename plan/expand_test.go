package plan

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// orderPlan has a windowed workflow job with two prefixes and two workflows, a manifest
// job and a node job on a single object.
func orderPlan(t *testing.T) *Plan {
	loc := mustZone(t, "Asia/Shanghai")
	level := 0
	return &Plan{Name: "order", Generation: 1, Jobs: []Job{
		{
			Name: "days", Type: "workflow", Bucket: "b1-1250000000", Region: "ap-beijing", Timezone: loc,
			Prefixes: []string{"p1/", "p2/"}, Workflows: []string{"w1", "w2"},
			Window: &Window{
				Start: time.Date(2024, 1, 1, 0, 0, 0, 0, loc), End: time.Date(2024, 1, 3, 12, 0, 0, 0, loc),
				Every: &Step{Days: 1, Text: "1d"},
			},
		},
		{Name: "inventory", Bucket: "b2-1250000000", Region: "ap-guangzhou", Timezone: loc,
			Manifest: "https://x/manifest.json", Workflows: []string{"w3"}},
		{Name: "node", Type: "job", Bucket: "b3-1250000000", Region: "ap-shanghai", Timezone: loc,
			Object: "in/a.mp4", Node: &Node{Tag: "Transcode", TemplateID: "t1", JobLevel: &level,
				Output: &Output{Region: "ap-shanghai", Bucket: "o-1250000000", Object: "out/a.mp4"}}},
	}}
}

func TestRequestsOrder(t *testing.T) {
	var got []string
	p := orderPlan(t)
	for r := range p.Requests() {
		if r.Seq != len(got) {
			t.Errorf("request %d has Seq %d", len(got), r.Seq)
		}
		got = append(got, fmt.Sprintf("%s %s %s %s %s:%s %s %s %s", r.Job, r.Bucket, r.Region, r.Type, r.InputKind, r.Input, r.Workflow, r.StartText(), r.EndText()))
		if r.Plan != "order" || !strings.HasPrefix(r.Name, "order-"+r.Job+"-") {
			t.Errorf("request %d: plan %q name %q", r.Seq, r.Plan, r.Name)
		}
		if (r.Node != nil) != (r.Type == "Job") {
			t.Errorf("request %d: type %s with node %v", r.Seq, r.Type, r.Node)
		}
	}
	const d1, d2, d3, e = "2024-01-01T00:00:00+0800", "2024-01-02T00:00:00+0800", "2024-01-03T00:00:00+0800", "2024-01-03T12:00:00+0800"
	var want []string
	for _, in := range []string{"p1/", "p2/"} {
		for _, wf := range []string{"w1", "w2"} {
			for _, w := range [][2]string{{d1, d2}, {d2, d3}, {d3, e}} {
				want = append(want, "days b1-1250000000 ap-beijing Workflow Prefix:"+in+" "+wf+" "+w[0]+" "+w[1])
			}
		}
	}
	want = append(want,
		"inventory b2-1250000000 ap-guangzhou Workflow Manifest:https://x/manifest.json w3  ",
		"node b3-1250000000 ap-shanghai Job Object:in/a.mp4   ")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("order:\n got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if p.Count() != len(want) {
		t.Errorf("Count = %d, want %d", p.Count(), len(want))
	}
}

func TestCountMatchesYield(t *testing.T) {
	loc := mustZone(t, "America/New_York")
	p := orderPlan(t)
	p.Jobs = append(p.Jobs,
		Job{Name: "months", Timezone: loc, Prefixes: []string{"a/", "b/", "c/"}, Workflows: []string{"w1"},
			Window: &Window{Start: time.Date(2020, 1, 31, 0, 0, 0, 0, loc), End: time.Date(2024, 3, 1, 0, 0, 0, 0, loc), Every: &Step{Months: 1}}},
		Job{Name: "unwindowed", Timezone: loc, Prefixes: []string{""}, Workflows: []string{"w1", "w2"}},
		Job{Name: "hours", Timezone: loc, Prefixes: []string{"a/"}, Workflows: []string{"w1"},
			Window: &Window{Start: time.Date(2024, 3, 9, 0, 0, 0, 0, loc), End: time.Date(2024, 3, 12, 5, 30, 0, 0, loc), Every: &Step{Duration: 7 * time.Hour}}},
	)
	n := 0
	for range p.Requests() {
		n++
	}
	if want := 14 + 3*50 + 2 + 11; n != want || p.Count() != n {
		t.Errorf("yielded %d, Count %d, want %d", n, p.Count(), want)
	}
	if c := (&Plan{}).Count(); c != 0 {
		t.Errorf("empty plan Count = %d", c)
	}
}

func TestBreakStopsExpansion(t *testing.T) {
	// About 3e10 one-second windows per job: only an iterator that stops on break returns.
	j := Job{Name: "huge", Timezone: time.UTC, Prefixes: []string{"a/", "b/"}, Workflows: []string{"w1"},
		Window: &Window{Start: time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), Every: &Step{Duration: time.Second}}}
	p := &Plan{Name: "huge", Generation: 1, Jobs: []Job{j, j}}
	if c := p.Count(); c < 6e10 || c == math.MaxInt {
		t.Errorf("Count = %d, want about 6.3e10", c)
	}
	n := 0
	for r := range p.Requests() {
		n++
		if r.Seq == 4 {
			break
		}
	}
	if n != 5 {
		t.Errorf("yielded %d, want 5", n)
	}
	// Called directly, the iterator must not call yield again after it returned false.
	calls := 0
	p.Requests()(func(Request) bool { calls++; return false })
	if calls != 1 {
		t.Errorf("yield called %d times after returning false at once", calls)
	}
	calls = 0
	j.Window.Every = &Step{Days: 1}
	j.Windows()(func(_, _ time.Time) bool { calls++; return false })
	if calls != 1 {
		t.Errorf("Windows: yield called %d times", calls)
	}
}

func TestRequestsShareNothingMutable(t *testing.T) {
	p := orderPlan(t)
	node := p.Jobs[2].Node
	var reqs []Request
	p.Jobs[2].Prefixes, p.Jobs[2].Object = []string{"x/", "y/"}, ""
	for r := range p.Requests() {
		reqs = append(reqs, r)
	}
	a, b := reqs[len(reqs)-2], reqs[len(reqs)-1]
	if a.Node == node || a.Node == b.Node || a.Node.Output == b.Node.Output || a.Node.JobLevel == b.Node.JobLevel {
		t.Fatal("requests share their Node with the plan or with each other")
	}
	*a.Node.JobLevel = 2
	a.Node.Output.Bucket = "changed"
	a.Node.Tag = "changed"
	if *node.JobLevel != 0 || node.Output.Bucket != "o-1250000000" || node.Tag != "Transcode" {
		t.Errorf("changing a request changed the plan: %+v %+v", node, node.Output)
	}
	if *b.Node.JobLevel != 0 || b.Node.Output.Bucket != "o-1250000000" || b.Node.Tag != "Transcode" {
		t.Errorf("changing a request changed another: %+v", b.Node)
	}
}

func TestWindowOnlyAppliesToPrefixes(t *testing.T) {
	p := orderPlan(t)
	j := &p.Jobs[1]
	j.Window = p.Jobs[0].Window // the loader rejects this; expansion ignores it
	p.Jobs = p.Jobs[1:2]
	r := oneRequest(t, p)
	if r.Windowed() || strings.Count(r.Name, "-") != 2 {
		t.Errorf("manifest request got a window: %+v", r)
	}
}

func TestRequestsAllocateLittle(t *testing.T) {
	p := orderPlan(t)
	p.Jobs = p.Jobs[:1]
	p.Jobs[0].Window.End = p.Jobs[0].Window.Start.AddDate(1, 0, 0)
	allocs := testing.AllocsPerRun(3, func() {
		for range p.Requests() {
		}
	})
	if per := allocs / float64(p.Count()); per > 3 {
		t.Errorf("%.2f allocations per request, want at most 3", per)
	}
}
