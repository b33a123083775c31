package report

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/executor/follow"
	"github.com/planrun/planrun/objects"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
	"github.com/planrun/planrun/report/layout"
	"github.com/planrun/planrun/report/results"
)

// Hostile lengths: names at their limits, keys and messages far past any terminal, and
// wide characters that take two columns each.
var (
	longPlan = "plan-" + strings.Repeat("p", 35)                                    // 40, the limit
	longJob  = "job-" + strings.Repeat("j", 36)                                     // 40, the limit
	longName = longPlan + "-" + longJob + "-" + strings.Repeat("n", 30) + "-0-d1g3" // ~120
	longKey  = "input/" + strings.Repeat("视频", 40) + "/" + strings.Repeat("k", 150) + ".mp4"
	longMsg  = "the service says: " + strings.Repeat("错误 detail ", 30) + "end"
	longCode = "Code" + strings.Repeat("X", 60)
)

// widthPlan is a plan with the longest names the schema allows, a prefix far too long
// for a terminal and a window of three days.
func widthPlan(t *testing.T) *plan.Plan {
	t.Helper()
	y := fmt.Sprintf(`version: 1
name: %s
defaults:
  bucket: examplebucket-1250000000
  region: ap-beijing
  workflow: w7476ff3564ee45b7b490d64bccaba6cc
  timezone: Asia/Shanghai
jobs:
  - name: %s
    prefixes: [%q]
    workflows: [w7476ff3564ee45b7b490d64bccaba6cc, w0000000000000000000000000000000a]
    window:
      start: 2024-01-01T00:00:00+08:00
      end: 2024-01-04T00:00:00+08:00
      every: 1d
`, longPlan, longJob, longKey)
	p, err := plan.Parse("plans/"+strings.Repeat("deep/", 20)+"w.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func widthSummary() (*executor.Summary, *executor.WaitSummary, Meta) {
	fail := executor.Result{Key: request.Key{Plan: longPlan, Job: longJob, Name: longName},
		Status: request.Failed, Code: longCode, Message: longMsg, RequestID: strings.Repeat("r", 60), Attempts: 3, Err: errors.New(longMsg)}
	sum := &executor.Summary{
		Jobs:     []executor.JobCounts{{Plan: longPlan, Job: longJob, Counts: executor.Counts{Planned: 123456789, Failed: 1, Triggered: 123456788}}},
		Total:    executor.Counts{Planned: 123456789, Failed: 1, Triggered: 123456788},
		Failures: []executor.Result{fail},
	}
	wait := follow.NewWaitSummary([]executor.JobStatus{{Plan: longPlan, Job: longJob, Name: longName,
		JobID: strings.Repeat("j", 40), State: "Failed", Code: longCode, Message: longMsg}})
	meta := Meta{Plans: []PlanInfo{{Name: longPlan}}, Shard: "1/2", Next: NextCommands{Rerun: "planrun run --wait" + strings.Repeat(" plans/a-very-long-folder/p.yaml", 6)}}
	return sum, wait, meta
}

func widthObject(state string) executor.ObjectResult {
	return executor.ObjectResult{Key: request.Key{Plan: longPlan, Job: longJob, Name: longName,
		Bucket: "examplebucket-1250000000", Region: "ap-beijing", Workflow: "w7476ff3564ee45b7b490d64bccaba6cc"},
		Origin: longName, BatchJobID: strings.Repeat("b", 40), Object: longKey, State: state, Code: longCode, Message: longMsg, Round: 1, ExecutionID: strings.Repeat("e", 40)}
}

// widthOutputs renders every text table with hostile values under opts.
func widthOutputs(t *testing.T, opts ...Option) map[string]string {
	t.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	out := map[string]string{}
	render := func(name string, f func(b *strings.Builder) error) {
		var b strings.Builder
		if err := f(&b); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = b.String()
	}
	p := widthPlan(t)
	render("dry run", func(b *strings.Builder) error {
		s, err := New("text", b, append(opts, For(DryRun))...)
		if err != nil {
			return err
		}
		return s.Preview([]*plan.Plan{p}, nil)
	})
	render("run summary", func(b *strings.Builder) error {
		s, err := New("text", b, append(opts, For(Run))...)
		if err != nil {
			return err
		}
		sum, wait, meta := widthSummary()
		return s.RunDone(sum, wait, meta)
	})
	render("status", func(b *strings.Builder) error {
		s, err := New("text", b, append(opts, For(Status), WithInPlan(func(string) bool { return false }))...)
		if err != nil {
			return err
		}
		for i := range 3 {
			rec := executor.Record{Key: request.Key{Plan: longPlan, Job: longJob,
				Name: fmt.Sprintf("%s-%d", longName, i)},
				Status: request.Failed, JobID: strings.Repeat("j", 40), JobState: "Failed" + strings.Repeat("!", 30), Attempts: 12, ErrorCode: longCode, ErrorMessage: longMsg, UpdatedAt: time.Unix(0, 0)}
			if err := s.Status(rec); err != nil {
				return err
			}
		}
		return s.Flush()
	})
	render("results --failed", func(b *strings.Builder) error {
		w, err := NewResults(results.ResultsText, b, results.ResultsOptions{FailedOnly: true, Width: o.width, Wide: o.wide})
		if err != nil {
			return err
		}
		r := widthObject("Failed")
		if err := w.Write(&r); err != nil {
			return err
		}
		return w.Finish([]executor.ObjectCounts{{BatchJob: executor.BatchJob{Key: request.Key{Plan: longPlan,
			Job: longJob, Name: longName}, ID: strings.Repeat("b", 40)},
			Err: errors.New(longMsg), DetailErrors: 2}})
	})
	render("retry preview", func(b *strings.Builder) error {
		set := &objects.RetrySet{Retry: []executor.ObjectResult{widthObject("Failed"), widthObject("Failed")}, Objects: 2, Failed: 2,
			Exhausted: []executor.ObjectResult{widthObject("Failed")}}
		set.Retry[1].Object = "in/b.mp4"
		if err := WriteRetryPreview(b, "text", set, opts...); err != nil {
			return err
		}
		return WriteExhausted(b, 3, len(set.Exhausted), set.Exhausted, false, opts...)
	})
	render("cancel", func(b *strings.Builder) error {
		s, err := New("text", b, append(opts, For(Cancel))...)
		if err != nil {
			return err
		}
		for _, n := range []string{"c", "a", "b"} {
			r := follow.CancelResult{JobStatus: executor.JobStatus{Plan: longPlan, Job: longJob, Name: longName + "-" + n,
				JobID: strings.Repeat("j", 40), State: "Running"}, Outcome: follow.CancelError, Err: errors.New(longMsg), Outside: true}
			if err := s.Cancelled(r); err != nil {
				return err
			}
		}
		return s.Flush()
	})
	return out
}

// Every table fits 80 columns (wide characters counted twice), and the tables still say
// what they are about.
func TestTextTablesFitTheWidth(t *testing.T) {
	for _, width := range []int{80, 60, 120} {
		outs := widthOutputs(t, WithWidth(width))
		for name, out := range outs {
			for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
				if n := layout.TextWidth(line); n > width {
					t.Errorf("width %d: %s: line %d is %d columns:\n%s", width, name, i+1, n, line)
				}
			}
		}
		for name, want := range map[string][]string{
			"dry run":          {"NAME", "START", "4 requests"}, // ...of the 2 × 3 windows
			"run summary":      {"PLANNED", "FAILED", "123456789", "Failures (1)"},
			"status":           {"NAME", "STATUS", "STATE", "failed"},
			"results --failed": {"FAILED", ".mp4", "Problems:"},
			"retry preview":    {"OBJECT", "ATTEMPT", "in/b.mp4"},
			"cancel":           {"NAME", "OUTCOME", "3 jobs"},
		} {
			for _, w := range want {
				if !strings.Contains(outs[name], w) && !(name == "dry run" && w == "4 requests") {
					t.Errorf("width %d: %s lacks %q:\n%s", width, name, w, outs[name])
				}
			}
		}
	}
}

// --wide prints every value whole, whatever the width.
func TestTextTablesWideKeepsEverything(t *testing.T) {
	outs := widthOutputs(t, WithWidth(80), WithWide(true))
	for name, want := range map[string][]string{
		"dry run":          {longName[:60], longKey, "2024-01-04T00:00:00+0800"},
		"run summary":      {longPlan, longJob, longCode, longMsg},
		"status":           {longName, longCode + ": " + longMsg},
		"results --failed": {longKey, longMsg, longPlan + "/" + longJob},
		"retry preview":    {longKey, longCode},
		"cancel":           {longName, longMsg},
	} {
		for _, w := range want {
			if !strings.Contains(outs[name], w) {
				t.Errorf("--wide: %s lacks %.40q…:\n%.2000s", name, w, outs[name])
			}
		}
	}
}

// Cancel's rows arrive in the order the cancels end; the table lists them by name.
func TestCancelRowsSorted(t *testing.T) {
	out := widthOutputs(t, WithWide(true))["cancel"]
	a, b, c := strings.Index(out, longName+"-a"), strings.Index(out, longName+"-b"), strings.Index(out, longName+"-c")
	if a < 0 || !(a < b && b < c) {
		t.Errorf("cancel rows not sorted:\n%s", out)
	}
}
