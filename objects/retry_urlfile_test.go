package objects

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
)

// retryPlan is a plan of a workflow prefix job and a node prefix job.
func retryPlan(t *testing.T, extra string) *plan.Plan {
	t.Helper()
	p, err := plan.Parse("conv.yaml", []byte(fmt.Sprintf(`version: 1
name: conv
defaults:
  bucket: %s
  region: %s
  workflow: %s
jobs:
  - name: videos
    prefix: input/video/
  - name: info
    type: job
    prefix: input/info/
    job:
      tag: MediaInfo
      template_id: t1460606b9752148c4ab182f55163ba7cd
%s`, testBucket, testRegion, resWorkflow, extra)))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// retryRound reads the results of the plan's batch jobs and computes a retry.
func retryRound(t *testing.T, c *ciapi.Client, p *plan.Plan, cfg RetryConfig) *RetrySet {
	t.Helper()
	ctx := background(t)
	jobs, missing, err := ResultBatchJobs(ctx, c, nil, []*plan.Plan{p}, quick())
	if err != nil || len(missing) != 0 {
		t.Fatalf("batch jobs: %v, missing %v", err, missing)
	}
	if cfg.Put == nil {
		cfg.Put = c
	}
	set, err := RetriesVia(ctx, c, nil, []*plan.Plan{p}, jobs, cfg, quick())
	if err != nil {
		t.Fatalf("retries: %v", err)
	}
	return set
}

func runPlans(t *testing.T, c *ciapi.Client, plans []*plan.Plan) *executor.Summary {
	t.Helper()
	sum, err := executor.Run(background(t), c, openStore(t, ""), plans, quick())
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return sum
}

// A retry in bulk: per request and round one URL file (split at ListCap) and one batch
// job each; transient failures succeed on the second attempt, permanent ones are tried
// exactly MaxAttempts times, no success is tried again, and a rerun sends nothing.
func TestURLFileRetriesConverge(t *testing.T) {
	objs := emulator.ObjectOptions{PerPrefix: 60, FailRate: 0.5, PermanentShare: 0.5}
	emu, c := startEmulator(t, emulator.Options{Objects: objs})
	p := retryPlan(t, "")
	runPlans(t, c, []*plan.Plan{p})
	cfg := RetryConfig{MaxAttempts: 3, ListCap: 7}

	set := retryRound(t, c, p, cfg)
	failed := map[string]bool{} // workflow or tag + key
	for _, x := range emu.Server.Executions("") {
		if x.State == ciapi.StateFailed {
			failed[x.Workflow+x.Tag+"|"+x.Object] = true
		}
	}
	if set.Failed != len(failed) || set.Retrying != len(failed) || len(set.Exhausted) != 0 || set.Objects != 120 {
		t.Fatalf("round 1: %d failed of %d, %d retrying; the emulator failed %d", set.Failed, set.Objects, set.Retrying, len(failed))
	}
	listed := map[string]bool{}
	for _, l := range set.Lists {
		body, ok := emu.Server.Object(testBucket, testRegion, l.Key)
		if !ok || l.Attempt != 2 || l.Objects > 7 || !strings.HasPrefix(l.Key, "planrun-retry-lists/conv/") ||
			l.URL != ciapi.ObjectURL(testBucket, testRegion, l.Key) {
			t.Fatalf("list %+v stored %v", l, ok)
		}
		lines := strings.Split(strings.TrimSuffix(string(body), "\n"), "\n")
		if len(lines) != l.Objects {
			t.Fatalf("list %s has %d lines, says %d", l.Key, len(lines), l.Objects)
		}
		for _, line := range lines {
			k, ok := ciapi.KeyOfURL(testBucket, testRegion, line)
			id := l.Workflow + l.Tag + "|" + k
			if !ok || !failed[id] || listed[id] {
				t.Fatalf("line %q of %s: key %q ok %v, failed %v, listed before %v", line, l.Key, k, ok, failed[id], listed[id])
			}
			listed[id] = true
		}
	}
	if len(listed) != len(failed) {
		t.Fatalf("%d objects listed, %d failed", len(listed), len(failed))
	}
	if !slices.ContainsFunc(set.Lists, func(l RetryList) bool { return l.Part > 0 }) {
		t.Fatalf("no list was split at 7 objects: %+v", set.Lists)
	}
	byName := map[string]RetryList{}
	for _, l := range set.Lists {
		byName[l.Name] = l
	}
	for i, r := range set.Retry {
		body, _ := emu.Server.Object(testBucket, testRegion, byName[set.NameOf(i)].Key)
		if !strings.Contains(string(body), ciapi.ObjectURL(testBucket, testRegion, r.Object)+"\n") {
			t.Fatalf("NameOf(%d) = %s, whose list does not hold %q", i, set.NameOf(i), r.Object)
		}
	}
	// A crash before the creates: the same lists again, under the same keys and names.
	again := retryRound(t, c, p, cfg)
	if !slices.Equal(again.Lists, set.Lists) {
		t.Fatalf("a second computation differs:\n%+v\n%+v", again.Lists, set.Lists)
	}
	sum := runPlans(t, c, set.Plans)
	if sum.Total.Triggered != len(set.Lists) {
		t.Fatalf("round 1 triggered %d batch jobs for %d lists", sum.Total.Triggered, len(set.Lists))
	}
	if sum := runPlans(t, c, again.Plans); sum.Total.Triggered != 0 {
		t.Fatalf("the same retry on a fresh state triggered %d batch jobs", sum.Total.Triggered)
	}
	for round := 2; round <= 3; round++ {
		set = retryRound(t, c, p, cfg)
		for _, l := range set.Lists {
			if l.Attempt != round+1 {
				t.Fatalf("round %d wrote %+v", round, l)
			}
		}
		runPlans(t, c, set.Plans)
	}
	final := retryRound(t, c, p, cfg)
	if len(final.Lists) != 0 || len(final.Plans) != 0 {
		t.Fatalf("after the last round: %d lists", len(final.Lists))
	}
	runs := map[string]int{}
	for _, x := range emu.Server.Executions("") {
		runs[x.Workflow+x.Tag+"|"+x.Object]++
	}
	permanent := 0
	for id, n := range runs {
		wf, key, _ := strings.Cut(id, "|")
		want := 1
		switch {
		case objs.Permanent(key, wf):
			want = 3
			permanent++
		case failed[id]:
			want = 2
		}
		if n != want {
			t.Errorf("%s ran %d times, want %d", id, n, want)
		}
	}
	if len(final.Exhausted) != permanent || final.Failed != permanent || permanent == 0 {
		t.Fatalf("exhausted %d, failed %d, permanent %d", len(final.Exhausted), final.Failed, permanent)
	}
	// results follows every object to its latest attempt.
	jobs, _, _ := ResultBatchJobs(background(t), c, nil, []*plan.Plan{p}, quick())
	_, err := Latest(background(t), c, nil, jobs, quick(), func(r executor.ObjectResult) error {
		id := r.Workflow + r.Tag + "|" + r.Object
		if want := runs[id]; r.Round != want || r.Failed() != objs.Permanent(r.Object, r.Workflow+r.Tag) {
			t.Errorf("%s: latest attempt %d %s, want attempt %d", id, r.Round, r.State, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Keys are retried exactly: spaces, '%', '+', '#', unicode, leading and trailing spaces, a
// leading '/', a percent-encoded URL and another bucket's URL all name themselves.
func TestURLFileRetriesKeepKeysExactly(t *testing.T) {
	keys := []string{"in/with space.mp4", "in/100%.mp4", "in/a+b.mp4", "in/hash#1.mp4", "in/视频 (1).mp4",
		" in/lead.mp4", "in/trailing.mp4 ", "/abs.mp4", "https%3A%2F%2Fx%2Fy.mp4",
		"https://other-1250000000.cos.ap-beijing.myqcloud.com/z.mp4"}
	var extra strings.Builder
	for i, k := range keys {
		fmt.Fprintf(&extra, "  - name: o%d\n    object: %q\n", i, k)
	}
	for _, via := range []string{ViaURLFile, ViaObject} {
		emu, c := startEmulator(t, emulator.Options{Objects: emulator.ObjectOptions{PerPrefix: 1, FailRate: 1}})
		p := retryPlan(t, extra.String())
		runPlans(t, c, []*plan.Plan{p})
		set := retryRound(t, c, p, RetryConfig{Via: via})
		if set.Retrying != len(keys)+2 {
			t.Fatalf("%s: retrying %d objects, want %d", via, set.Retrying, len(keys)+2)
		}
		runPlans(t, c, set.Plans)
		second := map[string]bool{}
		for _, x := range emu.Server.Executions("") {
			if x.Attempt == 2 && x.State == ciapi.StateSuccess {
				second[x.Object] = true
			}
		}
		for _, k := range keys {
			if !second[k] {
				t.Errorf("%s: key %q was not retried as itself (retried: %q)", via, k, slices.Sorted(maps.Keys(second)))
			}
		}
		if again := retryRound(t, c, p, RetryConfig{Via: via}); again.Failed != 0 || again.Retrying != 0 {
			t.Fatalf("%s: after the retry: %d failed, %d retrying", via, again.Failed, again.Retrying)
		}
	}
}

// putDenied refuses every PUT like a bucket without cos:PutObject.
type putDenied struct{ calls int }

func (p *putDenied) PutObject(context.Context, string, string, string, []byte) error {
	p.calls++
	return &ciapi.APIError{Op: "put-object", Status: 403, Code: ciapi.CodeAccessDenied, Message: "Access Denied."}
}

func TestURLFileRefusedNamesViaObject(t *testing.T) {
	_, c := startEmulator(t, emulator.Options{Objects: emulator.ObjectOptions{PerPrefix: 20, FailRate: 1}})
	p := retryPlan(t, "")
	runPlans(t, c, []*plan.Plan{p})
	jobs, _, _ := ResultBatchJobs(background(t), c, nil, []*plan.Plan{p}, quick())
	deny := &putDenied{}
	_, err := RetriesVia(background(t), c, nil, []*plan.Plan{p}, jobs, RetryConfig{Put: deny}, quick())
	if !errors.Is(err, ErrListRefused) || !ciapi.IsAccessDenied(err) || !strings.Contains(err.Error(), "--via object") || deny.calls != 1 {
		t.Fatalf("err %v after %d PUTs", err, deny.calls)
	}
	set, err := RetriesVia(background(t), c, nil, []*plan.Plan{p}, jobs, RetryConfig{Via: ViaObject}, quick())
	if err != nil || set.Retrying != 40 || len(set.Lists) != 0 || set.Plans[0].Count() != 40 {
		t.Fatalf("via object: %v, %+v", err, set)
	}
}

func TestRetryListPrefixUnderAnInputIsRefused(t *testing.T) {
	_, c := startEmulator(t, emulator.Options{})
	p := retryPlan(t, "")
	_, err := RetriesVia(background(t), c, nil, []*plan.Plan{p}, nil, RetryConfig{Put: c, ListPrefix: "input/video/lists/"}, quick())
	if !errors.Is(err, plan.ErrListPrefix) {
		t.Fatalf("err %v, want ErrListPrefix", err)
	}
}

// --max-requests stops the retry as soon as it needs more batch jobs, dry run or not.
func TestRetryMaxRequestsStopsEarly(t *testing.T) {
	_, c := startEmulator(t, emulator.Options{Objects: emulator.ObjectOptions{PerPrefix: 50, FailRate: 1}})
	p := retryPlan(t, "")
	runPlans(t, c, []*plan.Plan{p})
	jobs, _, _ := ResultBatchJobs(background(t), c, nil, []*plan.Plan{p}, quick())
	for _, cfg := range []RetryConfig{
		{Via: ViaObject, MaxRequests: 10},
		{Via: ViaObject, MaxRequests: 10, DryRun: true},
		{ListCap: 10, MaxRequests: 3, DryRun: true},
	} {
		set, err := RetriesVia(background(t), c, nil, []*plan.Plan{p}, jobs, cfg, quick())
		if !errors.Is(err, executor.ErrTooManyRequests) {
			t.Fatalf("%+v: err %v", cfg, err)
		}
		if set.Objects >= 100 && cfg.Via == ViaObject {
			t.Errorf("%+v: read all %d objects before refusing", cfg, set.Objects)
		}
		// The count where reading stopped is a lower bound: the advice must not be to
		// raise the limit to it (that would refuse again).
		if msg := err.Error(); !strings.Contains(msg, "--max-requests 0") || strings.Contains(msg, "raise the limit with") {
			t.Errorf("%+v: message %q", cfg, msg)
		}
	}
	if set, err := RetriesVia(background(t), c, nil, []*plan.Plan{p}, jobs, RetryConfig{ListCap: 10, MaxRequests: 10, DryRun: true}, quick()); err != nil || len(set.Lists) != 10 {
		t.Fatalf("10 lists within a limit of 10: %v, %d lists", err, len(set.Lists))
	}
}

// A crash after some parts of a round were created: the rerun keeps their numbers and
// sends the other parts under the names they had.
func TestURLFileRetryAfterAPartialRound(t *testing.T) {
	_, c := startEmulator(t, emulator.Options{Objects: emulator.ObjectOptions{PerPrefix: 30, FailRate: 1}})
	p := retryPlan(t, "")
	runPlans(t, c, []*plan.Plan{p})
	cfg := RetryConfig{ListCap: 7}
	set := retryRound(t, c, p, cfg)
	first := plan.Derived(p, func(yield func(plan.Request) bool) {
		for r := range set.Plans[0].Requests() {
			yield(r)
			return
		}
	})
	if sum := runPlans(t, c, []*plan.Plan{first}); sum.Total.Triggered != 1 {
		t.Fatalf("triggered %d", sum.Total.Triggered)
	}
	again := retryRound(t, c, p, cfg)
	if !slices.Equal(again.Lists, set.Lists[1:]) {
		t.Fatalf("after part 0 was created:\n%+v\nwant\n%+v", again.Lists, set.Lists[1:])
	}
	if sum := runPlans(t, c, again.Plans); sum.Total.Triggered != len(set.Lists)-1 {
		t.Fatalf("triggered %d, want %d", sum.Total.Triggered, len(set.Lists)-1)
	}
	if last := retryRound(t, c, p, cfg); len(last.Lists) != 0 || last.Failed != 0 {
		t.Fatalf("after every part: %d lists, %d failed", len(last.Lists), last.Failed)
	}
}

// An object listed twice (on two pages, same RunId), or Failed, Success, Failed, is
// retried at most once a round, and never after a success.
func TestRetryWriterDeduplicates(t *testing.T) {
	_, c := startEmulator(t, emulator.Options{})
	e := newEngine(c, nil, quick())
	w := &retryWriter{cfg: RetryConfig{MaxAttempts: 3, Via: ViaURLFile, DryRun: true, ListCap: DefaultListCap},
		set: &RetrySet{}, rounds: newRounds(), e: e, api: c}
	w.seed = maphash.MakeSeed()
	base := executor.ObjectResult{Key: request.Key{Plan: "p", Job: "j", Name: "p-j-0123456789abcdef",
		Bucket: testBucket, Region: testRegion, Workflow: resWorkflow}, Origin: "p-j-0123456789abcdef", Round: 1}
	at := func(key, state string) executor.ObjectResult {
		r := base
		r.Object, r.State, r.ExecutionID = key, state, "i"+key
		return r
	}
	for _, r := range []executor.ObjectResult{
		at("a.mp4", ciapi.StateFailed), at("b.mp4", ciapi.StateFailed), at("a.mp4", ciapi.StateSuccess),
		at("b.mp4", ciapi.StateFailed), at("a.mp4", ciapi.StateFailed), at("c.mp4", ciapi.StateSuccess),
		at("c.mp4", ciapi.StateFailed), at("d.mp4", ciapi.StateRunning), at("d.mp4", ciapi.StateRunning),
	} {
		if err := w.add(background(t), r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.flush(background(t)); err != nil {
		t.Fatal(err)
	}
	if len(w.set.Retry) != 1 || w.set.Retry[0].Object != "b.mp4" || w.set.Objects != 4 || w.set.Duplicates != 5 ||
		len(w.set.Lists) != 1 || w.set.Lists[0].Objects != 1 {
		t.Fatalf("retry %+v, objects %d, duplicates %d, lists %+v", w.set.Retry, w.set.Objects, w.set.Duplicates, w.set.Lists)
	}
}

// A lean retry keeps counts and lists, not the objects, and still names the requests
// whose counts Recount reads again.
func TestLeanRetryKeepsCountsNotObjects(t *testing.T) {
	_, c := startEmulator(t, emulator.Options{Objects: emulator.ObjectOptions{PerPrefix: 30, FailRate: 1}})
	p := retryPlan(t, "")
	runPlans(t, c, []*plan.Plan{p})
	set := retryRound(t, c, p, RetryConfig{Lean: true, ListCap: 20})
	if len(set.Retry) != 0 || set.Retrying != 60 || len(set.Lists) != 4 || set.Plans[0].Count() != 4 {
		t.Fatalf("lean: %d kept, %d retrying, %d lists", len(set.Retry), set.Retrying, len(set.Lists))
	}
	origins := map[string]bool{}
	for _, r := range set.Retried() {
		origins[r.Origin] = true
	}
	if len(origins) != 2 {
		t.Fatalf("Retried names %d requests, want 2", len(origins))
	}
}

// A lean retry set counts every exhausted object by code but keeps only the first
// MaxKeptExhausted of them: a million objects that failed for good do not fill memory.
func TestLeanRetrySetBoundsTheExhaustedItKeeps(t *testing.T) {
	_, c := startEmulator(t, emulator.Options{})
	e := newEngine(c, nil, quick())
	w := &retryWriter{cfg: RetryConfig{MaxAttempts: 2, Via: ViaURLFile, DryRun: true, ListCap: DefaultListCap, Lean: true},
		set: &RetrySet{}, rounds: newRounds(), e: e, api: c}
	w.seed = maphash.MakeSeed()
	n := MaxKeptExhausted + 500
	for i := range n {
		r := executor.ObjectResult{Key: request.Key{Plan: "p", Job: "j", Name: "p-j-0123456789abcdef",
			Bucket: testBucket, Region: testRegion, Workflow: resWorkflow},
			Origin: "p-j-0123456789abcdef", Round: 2, State: ciapi.StateFailed, Object: fmt.Sprintf("k/%06d.mp4", i), ExecutionID: fmt.Sprintf("i%d", i), Code: []string{"A", "B"}[i%2]}
		if err := w.add(background(t), r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.flush(background(t)); err != nil {
		t.Fatal(err)
	}
	if w.set.ExhaustedCount != n || len(w.set.Exhausted) != MaxKeptExhausted ||
		w.set.ExhaustedByCode["A"]+w.set.ExhaustedByCode["B"] != n || w.set.ExhaustedByCode["A"] != n/2 {
		t.Fatalf("exhausted %d kept of %d counted, by code %v; want %d kept of %d", len(w.set.Exhausted), w.set.ExhaustedCount,
			w.set.ExhaustedByCode, MaxKeptExhausted, n)
	}
}
