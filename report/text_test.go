package report

import (
	"strconv"
	"strings"
	"testing"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan/request"
	"github.com/planrun/planrun/report/layout"
)

func TestTextSummaryGolden(t *testing.T) {
	var b strings.Builder
	if err := WriteText(&b, fixtureSummary(), fixtureWait(), fixtureMeta(), false); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "\x1b") {
		t.Error("colour without color=true")
	}
	golden(t, "text.golden", b.String())

	b.Reset()
	if err := WriteText(&b, fixtureSummary(), fixtureWait(), fixtureMeta(), true); err != nil {
		t.Fatal(err)
	}
	golden(t, "text_color.golden", b.String())
	// Colour changes no column: stripping the escapes gives the plain text back.
	var plain strings.Builder
	if err := WriteText(&plain, fixtureSummary(), fixtureWait(), fixtureMeta(), false); err != nil {
		t.Fatal(err)
	}
	if stripANSI(b.String()) != plain.String() {
		t.Errorf("coloured text differs from plain text once escapes are stripped:\n%s", stripANSI(b.String()))
	}
}

func stripANSI(s string) string {
	for _, code := range []string{layout.ANSIReset, layout.ANSIBold, layout.ANSIRed, layout.ANSIGreen, layout.ANSIYellow, layout.ANSICyan} {
		s = strings.ReplaceAll(s, code, "")
	}
	return s
}

func TestTextSummaryCleanRun(t *testing.T) {
	sum := &executor.Summary{
		Jobs:  []executor.JobCounts{{Plan: "p", Job: "j", Counts: executor.Counts{Planned: 12, Skipped: 2, Triggered: 10}}},
		Total: executor.Counts{Planned: 12, Skipped: 2, Triggered: 10},
	}
	var b strings.Builder
	if err := WriteText(&b, sum, nil, Meta{Plans: []PlanInfo{{Name: "p"}}}, false); err != nil {
		t.Fatal(err)
	}
	golden(t, "text_clean.golden", b.String())
	if strings.Contains(b.String(), "NOT DONE") || strings.Contains(b.String(), "Failures") {
		t.Errorf("clean run shows not-done or failures:\n%s", b.String())
	}
}

// 75 failures of two codes are two lines, each with its count and one example, not 75
// near-identical lines (the report lists every one).
func TestTextSummaryGroupsFailuresByCode(t *testing.T) {
	sum := &executor.Summary{Total: executor.Counts{Planned: 75, Failed: 75}}
	for i := range 75 {
		code := "Bad"
		if i%25 == 24 {
			code = "InternalError"
		}
		sum.Failures = append(sum.Failures, executor.Result{Key: request.Key{Plan: "p", Job: "j",
			Name: "p-j-" + strconv.Itoa(i)},
			Status: request.Failed, Code: code, Message: "evil \x1b]0;title\x07 text", Attempts: 1})
	}
	var b strings.Builder
	if err := WriteText(&b, sum, nil, Meta{Next: NextCommands{Rerun: "planrun run plan.yaml"}}, false); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if n := strings.Count(out, ": Bad: "); n != 1 {
		t.Errorf("%d failures of code Bad listed, want 1 example", n)
	}
	for _, want := range []string{"72 × Bad  e.g. p-j-0: Bad: ", "3 × InternalError  e.g. p-j-24: InternalError: ",
		"75 requests failed", "\n      planrun run plan.yaml\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Error("service text reached the terminal with control characters")
	}
}

// Each ending says what to do next, with the command that does it.
func TestTextSummaryNextSteps(t *testing.T) {
	next := NextCommands{Rerun: "planrun run --wait p.yaml", Status: "planrun status --refresh p.yaml", Results: "planrun results p.yaml"}
	cases := []struct {
		name string
		sum  *executor.Summary
		wait *executor.WaitSummary
		meta Meta
		want []string
	}{
		{"interrupted while sending", &executor.Summary{Total: executor.Counts{Planned: 5, Triggered: 2}},
			nil, Meta{Interrupted: true}, []string{"3 requests not done: run the same command again to continue", next.Rerun}},
		{"budget spent", &executor.Summary{Total: executor.Counts{Planned: 9, Failed: 5}, BudgetSpent: true},
			nil, Meta{Stopped: "the failure budget was spent (--max-failures 5)"},
			[]string{"4 requests not done: the run stopped: the failure budget was spent (--max-failures 5); fix that", next.Rerun}},
		{"Ctrl-C during --wait", &executor.Summary{Total: executor.Counts{Planned: 2, Triggered: 2}},
			&executor.WaitSummary{States: map[string]int{"Running": 2}}, Meta{Interrupted: true, WaitInterrupted: true},
			[]string{"keep following with", next.Status, "follow them again", next.Rerun}},
		{"jobs failed", &executor.Summary{Total: executor.Counts{Planned: 1, Triggered: 1}},
			&executor.WaitSummary{States: map[string]int{"Failed": 1}, Failed: []executor.JobStatus{{Name: "n", State: "Failed"}}},
			Meta{}, []string{"1 job did not succeed", "planrun results --failed p.yaml"}},
		{"all triggered", &executor.Summary{Total: executor.Counts{Planned: 1, Triggered: 1}}, nil, Meta{},
			[]string{"follow them with", next.Status, next.Results}},
	}
	for _, c := range cases {
		c.meta.Next = next
		var b strings.Builder
		if err := WriteText(&b, c.sum, c.wait, c.meta, false); err != nil {
			t.Fatal(err)
		}
		flat := strings.Join(strings.Fields(b.String()), " ") // lines wrapped to 80 columns
		for _, want := range c.want {
			if !strings.Contains(flat, want) {
				t.Errorf("%s: summary lacks %q:\n%s", c.name, want, b.String())
			}
		}
	}
}

func TestStepSummaryGolden(t *testing.T) {
	var b strings.Builder
	if err := WriteStepSummary(&b, fixtureSummary(), fixtureWait(), fixtureMeta()); err != nil {
		t.Fatal(err)
	}
	golden(t, "stepsummary.golden", b.String())
	if strings.Contains(b.String(), "<x>") || strings.Contains(b.String(), "hunter2") {
		t.Error("raw HTML or credentials in the step summary")
	}
}

func TestStepSummaryMinimal(t *testing.T) {
	var b strings.Builder
	if err := WriteStepSummary(&b, &executor.Summary{}, nil, Meta{Shard: "2/3"}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "## planrun run\n\nshard 2/3\n\n| Plan |") {
		t.Errorf("got:\n%s", b.String())
	}
}
