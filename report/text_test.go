package report

import (
	"strconv"
	"strings"
	"testing"

	"github.com/planrun/planrun/executor"
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
	_ = WriteText(&plain, fixtureSummary(), fixtureWait(), fixtureMeta(), false)
	if stripANSI(b.String()) != plain.String() {
		t.Errorf("coloured text differs from plain text once escapes are stripped:\n%s", stripANSI(b.String()))
	}
}

func stripANSI(s string) string {
	for _, code := range []string{ansiReset, ansiBold, ansiRed, ansiGreen, ansiYellow, ansiCyan} {
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

func TestTextSummaryCapsFailures(t *testing.T) {
	sum := &executor.Summary{Total: executor.Counts{Planned: 75, Failed: 75}}
	for i := range 75 {
		sum.Failures = append(sum.Failures, executor.Result{Plan: "p", Job: "j", Name: "p-j-" + strconv.Itoa(i),
			Status: executor.StatusFailed, Code: "Bad", Message: "evil \x1b]0;title\x07 text", Attempts: 1})
	}
	var b strings.Builder
	if err := WriteText(&b, sum, nil, Meta{}, false); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if n := strings.Count(out, ": Bad: "); n != maxListed {
		t.Errorf("%d failures listed, want %d", n, maxListed)
	}
	if !strings.Contains(out, "  ... and 25 more (see --report)\n") {
		t.Errorf("no 'and N more' line:\n%s", out)
	}
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Error("service text reached the terminal with control characters")
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
