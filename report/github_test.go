package report

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan/request"
	"github.com/planrun/planrun/report/safetext"
)

// workflowCommand is the exact syntax of a GitHub Actions annotation line.
var workflowCommand = regexp.MustCompile(`^::(error|warning|notice)( [a-z]+=[^,:]*(,[a-z]+=[^,:]*)*)?::.*$`)

func annotationLines(t *testing.T, out string) []string {
	t.Helper()
	if !strings.HasSuffix(out, "\n") {
		t.Fatalf("output does not end in a newline: %q", out)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for _, l := range lines {
		if !workflowCommand.MatchString(l) {
			t.Errorf("not a workflow command: %q", l)
		}
	}
	return lines
}

func TestGitHubAnnotations(t *testing.T) {
	var b strings.Builder
	if err := WriteGitHubAnnotations(&b, fixtureSummary()); err != nil {
		t.Fatal(err)
	}
	lines := annotationLines(t, b.String())
	want := []string{
		"::error title=planrun run::video-backfill/videos video-backfill-videos-2-cccc: InvalidArgument: " +
			"bad prefix: 100%25, a,b: <x> second line (RequestId: NjU4YmQ0ZDhf, attempts: 1)",
		"::error title=planrun run::thumbs/all thumbs-all-0-eeee: post inventorytriggerjob: dial tcp " +
			"127.0.0.1:9: connection refused (attempts: 6)",
		"::notice title=planrun run::6 planned, 1 skipped as already done, 1 triggered, 2 failed, 2 not done",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}

	b.Reset()
	if err := WriteGitHubWaitAnnotations(&b, fixtureWait()); err != nil {
		t.Fatal(err)
	}
	lines = annotationLines(t, b.String())
	if len(lines) != 2 || !strings.Contains(lines[0], "b1111") || !strings.HasPrefix(lines[1], "::notice") ||
		!strings.HasSuffix(lines[1], "Success 1, Failed 1") {
		t.Errorf("wait annotations %q", lines)
	}
}

func TestGitHubEscaping(t *testing.T) {
	msg := "50% done, key: a\r\nb"
	if got, want := safetext.CommandData(msg), "50%25 done, key: a%0D%0Ab"; got != want {
		t.Errorf("CommandData = %q, want %q", got, want)
	}
	if got, want := safetext.CommandProperty(msg), "50%25 done%2C key%3A a%0D%0Ab"; got != want {
		t.Errorf("CommandProperty = %q, want %q", got, want)
	}
	var b strings.Builder
	command(&b, "error", msg)
	annotationLines(t, b.String())
	if strings.Count(b.String(), "\n") != 1 {
		t.Errorf("a message with a newline must stay on one line: %q", b.String())
	}
}

func TestGitHubAnnotationsGroupedByCode(t *testing.T) {
	// 120 failures with one code are one annotation, not 120 (GitHub shows ten per step).
	sum := &executor.Summary{Total: executor.Counts{Planned: 123, Failed: 123}}
	for i := range 120 {
		sum.Failures = append(sum.Failures, executor.Result{Key: request.Key{Plan: "p", Job: "j",
			Name: "p-j-" + strconv.Itoa(i)}, Status: request.Failed, Code: "Bad", Message: "no"})
	}
	sum.Failures = append(sum.Failures,
		executor.Result{Key: request.Key{Plan: "p", Job: "j", Name: "p-j-x"},
			Status: request.Failed, Code: "Other", Message: "once"},
		executor.Result{Key: request.Key{Plan: "p", Job: "j", Name: "p-j-y"},
			Status: request.Failed, Message: "dial tcp: refused"},
		executor.Result{Key: request.Key{Plan: "p", Job: "j", Name: "p-j-z"},
			Status: request.Failed, Message: "dial tcp: refused"})
	var b strings.Builder
	if err := WriteGitHubAnnotations(&b, sum); err != nil {
		t.Fatal(err)
	}
	lines := annotationLines(t, b.String())
	want := []string{
		"::error title=planrun run::Bad: 120 requests failed, e.g. p/j p-j-0: Bad: no (attempts: 0) (see --report for all)",
		"::error title=planrun run::no error code (network or client error): 2 requests failed, e.g. p/j p-j-y: dial tcp: refused (attempts: 0) (see --report for all)",
		"::error title=planrun run::p/j p-j-x: Other: once (attempts: 0)",
		"::notice title=planrun run::123 planned, 0 skipped as already done, 0 triggered, 123 failed",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

func TestGitHubAnnotationsCapped(t *testing.T) {
	sum := &executor.Summary{Total: executor.Counts{Planned: 120, Failed: 120}}
	for i := range 120 {
		sum.Failures = append(sum.Failures, executor.Result{Key: request.Key{Plan: "p", Job: "j",
			Name: "p-j-" + strconv.Itoa(i)}, Status: request.Failed, Code: "Bad" + strconv.Itoa(i/2), Message: "no"})
	}
	var b strings.Builder
	if err := WriteGitHubAnnotations(&b, sum); err != nil {
		t.Fatal(err)
	}
	lines := annotationLines(t, b.String())
	if len(lines) != maxListed+2 || lines[maxListed] != "::warning title=planrun run::... and 20 more failed requests with other codes (see --report)" {
		t.Errorf("%d lines, line %d = %q", len(lines), maxListed, lines[min(maxListed, len(lines)-1)])
	}
	if err := WriteGitHubAnnotations(&b, nil); err != nil {
		t.Error(err)
	}
}
