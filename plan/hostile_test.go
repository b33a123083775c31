package plan

import (
	"fmt"
	"strings"
	"testing"

	"github.com/planrun/planrun/plan/yamlsrc"
)

// wantProblem parses src and checks that one problem sits at line:col and says want.
func wantProblem(t *testing.T, src string, line, col int, want string) {
	t.Helper()
	probs := parseProblems(t, src)
	for _, p := range probs {
		if p.Line == line && p.Col == col && strings.Contains(p.Message, want) {
			return
		}
	}
	t.Errorf("no problem at %d:%d saying %q; got:\n%v", line, col, want, probs)
}

func TestDeepNestingIsRefusedWhereItGoesTooDeep(t *testing.T) {
	// 6,000 levels in 24 KB used to take a minute and gigabytes; past yamlsrc.MaxDepth the plan is
	// refused at the first node too deep, before conversion or the schema see it.
	flow := validHead + "  - name: a\n    prefix: " + strings.Repeat("[", 6000) + strings.Repeat("]", 6000) + "\n"
	// root mapping, jobs list, the job mapping: the prefix's lists are levels 4 and on.
	wantProblem(t, flow, 9, 13+yamlsrc.MaxDepth-3, "nest more than 64 levels")

	var b strings.Builder
	b.WriteString(validHead + "  - name: a\n    prefix: in/\n    description:\n")
	for i := range 70 {
		fmt.Fprintf(&b, "%s  k:\n", strings.Repeat("  ", i+2))
	}
	wantProblem(t, b.String(), 11+yamlsrc.MaxDepth-3, 2*(yamlsrc.MaxDepth-3)+7, "nest more than 64 levels")

	// Through an alias: an anchored block 40 deep, used 40 deep, is reported at the alias.
	anchored := "x: &deep " + strings.Repeat("[", 40) + strings.Repeat("]", 40) + "\n"
	aliased := "y: " + strings.Repeat("[", 40) + "*deep" + strings.Repeat("]", 40) + "\n"
	wantProblem(t, "version: 1\n"+anchored+aliased, 3, 44, "nest more than 64 levels")

	// A plan at the limit is read (and rejected only for what it holds).
	ok := validHead + "  - name: a\n    prefix: in/\n    description: " + strings.Repeat("[", yamlsrc.MaxDepth-3) + strings.Repeat("]", yamlsrc.MaxDepth-3) + "\n"
	for _, p := range parseProblems(t, ok) {
		if strings.Contains(p.Message, "nest") {
			t.Errorf("a plan %d levels deep is refused: %v", yamlsrc.MaxDepth, p)
		}
	}
}

func TestStringsThatCannotBeSentAreRefused(t *testing.T) {
	job := func(line string) string { return validHead + "  - name: a\n" + line }
	// validHead is 7 lines: the job starts on line 8, its second key on line 9.
	cases := []struct {
		src       string
		line, col int
		want      string
	}{
		{job("    prefix: \"in\\x01/\"\n"), 9, 13, "a control character (U+0001 at character 3)"},
		{job("    prefix: \"in\\u0085/\"\n"), 9, 13, "a control character (U+0085"},
		{job("    prefix: \"in\\uFFFE/\"\n"), 9, 13, "a Unicode noncharacter (U+FFFE"},
		{job("    object: \"\\uFDD0\"\n"), 9, 13, "a Unicode noncharacter (U+FDD0"},
		{job("    prefix: \"a\\tb\"\n"), 9, 13, "a control character (U+0009"},
		{job("    prefix: \"in/\\u202egnp.exe/\"\n"), 9, 13, "a bidirectional override (U+202E at character 4)"},
		{job("    prefix: in/\n    description: \"\\u2066x\"\n"), 10, 18, "a bidirectional override (U+2066"},
		{job("    prefix: in/\n    description: \"x\\x7f\"\n"), 10, 18, "a control character (U+007F"},
		{job("    prefix: |\n      input/\n"), 9, 13, "ends with a line break"},
		{job("    object: >\n      a.mp4\n"), 9, 13, "ends with a line break"},
		{job("    prefix: !!binary aW4v\n"), 9, 13, "YAML tag !!binary is not allowed"},
		{job("    prefix: in/\n    window: {start: !!timestamp 2024-01-01, end: 2024-01-02}\n"), 10, 21, "YAML tag !!timestamp"},
		{"version: 1\nname: !custom demo\njobs: []\n", 2, 7, "YAML tag !custom"},
	}
	for _, c := range cases {
		wantProblem(t, c.src, c.line, c.col, c.want)
	}
	// Free text may break lines; |- keeps no line break; !!str is only a quote.
	parseOK(t, job("    prefix: |-\n      input/\n    description: |\n      two\n      \tlines\n"))
	parseOK(t, job("    prefix: \"\u05d0\u200f/\"\n")) // a right-to-left mark stays allowed
	p := parseOK(t, job("    prefix: !!str 2024\n"))
	if p.Jobs[0].Prefixes[0] != "2024" {
		t.Errorf("prefix = %q", p.Jobs[0].Prefixes[0])
	}
}

func TestYearsOutsideTheFourDigitsAreRefused(t *testing.T) {
	head := validHead + "  - name: a\n    prefix: in/\n    timezone: Asia/Shanghai\n"
	// the end, read in Asia/Shanghai, is in the year 10000
	wantProblem(t, head+"    window: {start: 9999-12-31, end: \"9999-12-31T23:00:00-05:00\"}\n", 11, 38,
		"year 10000 in the job's timezone (Asia/Shanghai)")
	wantProblem(t, head+"    window: {start: 0000-12-31, end: 0001-01-02}\n", 11, 21, "year 0 in the job's timezone")
	parseOK(t, head+"    window: {start: 0001-01-01, end: 9999-12-31T23:59:59}\n")
}

func TestJobsThatExpandToIdenticalRequestsAreRefused(t *testing.T) {
	wantProblem(t, validHead+"  - name: a\n    prefix: in/\n  - name: b\n    prefixes: [x/, in/]\n", 10, 11,
		`job "b" expands to a request identical to one of job "a" (line 8): Prefix "in/"`)
	windowed := validHead + `  - name: a
    prefix: in/
    window: {start: 2024-01-01, end: 2024-02-01, every: 1d}
  - name: b
    prefix: in/
    window: {start: 2024-01-20, end: 2024-03-01, every: 1d}
`
	wantProblem(t, windowed, 11, 11, "window 2024-01-20T00:00:00+0000 to 2024-01-21T00:00:00+0000")
	// Different windows, workflows, buckets or timezones are different requests.
	parseOK(t, validHead+`  - name: a
    prefix: in/
    window: {start: 2024-01-01, end: 2024-02-01, every: 1d}
  - name: b
    prefix: in/
    window: {start: "2024-01-20T12:00:00", end: 2024-03-01, every: 1d}
  - name: c
    prefix: in/
    workflow: w0000000000000000000000000000000a
  - name: d
    prefix: in/
    bucket: other-1250000000
  - name: e
    prefix: in/
    timezone: "+08:00"
    window: {start: "2024-01-01T08:00:00", end: "2024-01-02T08:00:00"}
  - name: f
    prefix: in/
`)
}

func TestTimezoneSuggestionsAndOffsetWarnings(t *testing.T) {
	wantProblem(t, validHead+"  - name: a\n    prefix: in/\n    timezone: asia/shanghai\n", 10, 15,
		`unknown timezone "asia/shanghai": did you mean Asia/Shanghai?`)
	wantProblem(t, strings.Replace(validHead, "defaults:\n", "defaults:\n  timezone: AMERICA/NEW_YORK\n", 1)+"  - name: a\n    prefix: in/\n", 4, 13,
		"did you mean America/New_York?")

	head := validHead + "  - name: a\n    prefix: in/\n    timezone: Asia/Shanghai\n"
	p := parseOK(t, head+`    window: {start: "2024-01-01T00:00:00Z", end: 2024-02-01, every: 1d}`+"\n")
	if len(p.Warnings) != 1 {
		t.Fatalf("warnings %v, want one", p.Warnings)
	}
	w := p.Warnings[0]
	want := "2024-01-01T00:00:00Z is 2024-01-01T08:00:00+08:00 in Asia/Shanghai: windows will start at 08:00:00 local time; " +
		"to start at 00:00:00 there, write 2024-01-01T00:00:00+08:00 or leave the offset out"
	if w.Line != 11 || w.Col != 21 || w.Path != "jobs[0].window.start" || w.Message != want {
		t.Errorf("warning %v\nwant at 11:21: %s", w, want)
	}
	// The offset the timezone has, no offset, or no timezone written: nothing to warn about.
	for _, src := range []string{
		head + `    window: {start: "2024-01-01T00:00:00+08:00", end: 2024-02-01, every: 1d}` + "\n",
		head + "    window: {start: 2024-01-01, end: 2024-02-01, every: 1d}\n",
		validHead + "  - name: a\n    prefix: in/\n    window: {start: \"2024-01-01T00:00:00+08:00\", end: 2024-02-01}\n",
	} {
		if p := parseOK(t, src); len(p.Warnings) != 0 {
			t.Errorf("unexpected warnings %v for\n%s", p.Warnings, src)
		}
	}
}
