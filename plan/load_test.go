package plan

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

const validHead = `version: 1
name: demo
defaults:
  bucket: examplebucket-1250000000
  region: ap-beijing
  workflow: w7476ff3564ee45b7b490d64bccaba6cc
jobs:
`

// parseOK parses src and fails the test on any error.
func parseOK(t *testing.T, src string) *Plan {
	t.Helper()
	p, err := Parse("plan.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v\n--- source:\n%s", err, src)
	}
	return p
}

// parseProblems parses src and returns its Problems, failing if there are none.
func parseProblems(t *testing.T, src string) Problems {
	t.Helper()
	_, err := Parse("plan.yaml", []byte(src))
	var probs Problems
	if !errors.As(err, &probs) {
		t.Fatalf("Parse = %v, want Problems\n--- source:\n%s", err, src)
	}
	checkProblems(t, probs)
	return probs
}

func TestDefaultsApply(t *testing.T) {
	p := parseOK(t, validHead+`  - name: a
    prefix: in/
  - name: b
    bucket: other-1250000001
    region: ap-shanghai
    timezone: Asia/Shanghai
    workflows: [w0000000000000000000000000000000a, w0000000000000000000000000000000b]
    prefix: raw/
`)
	if p.Name != "demo" || p.Version != 1 || p.Generation != 1 || p.Path != "plan.yaml" || len(p.Jobs) != 2 {
		t.Fatalf("plan = %+v", p)
	}
	a, b := p.Jobs[0], p.Jobs[1]
	if a.Bucket != "examplebucket-1250000000" || a.Region != "ap-beijing" || a.Type != "workflow" {
		t.Errorf("job a = %+v", a)
	}
	if len(a.Workflows) != 1 || a.Workflows[0] != "w7476ff3564ee45b7b490d64bccaba6cc" {
		t.Errorf("job a workflows = %v", a.Workflows)
	}
	if a.TZName != "UTC" || a.Timezone != time.UTC {
		t.Errorf("job a timezone = %q %v, want UTC", a.TZName, a.Timezone)
	}
	if a.Pos != (Pos{Line: 8, Col: 5}) || b.Pos != (Pos{Line: 10, Col: 5}) {
		t.Errorf("positions %v %v", a.Pos, b.Pos)
	}
	if b.Bucket != "other-1250000001" || b.Region != "ap-shanghai" || b.TZName != "Asia/Shanghai" {
		t.Errorf("job b = %+v", b)
	}
	if strings.Join(b.Workflows, ",") != "w0000000000000000000000000000000a,w0000000000000000000000000000000b" {
		t.Errorf("job b workflows = %v (defaults.workflow must not be added)", b.Workflows)
	}
	if len(b.Prefixes) != 1 || b.Prefixes[0] != "raw/" {
		t.Errorf("prefix = %q", b.Prefixes)
	}
}

func TestInputs(t *testing.T) {
	p := parseOK(t, validHead+`  - name: m
    manifest: https://x/manifest.json
  - name: u
    url_file: https://x/urls.txt
  - name: o
    object: in/a.mp4
  - name: ps
    prefixes: [a/, b/, c/]
`)
	j := p.Jobs
	if j[0].Manifest != "https://x/manifest.json" || j[1].URLFile != "https://x/urls.txt" || j[2].Object != "in/a.mp4" ||
		strings.Join(j[3].Prefixes, ",") != "a/,b/,c/" {
		t.Errorf("inputs = %+v", j)
	}
	for _, jb := range j[:3] {
		if jb.Prefixes != nil {
			t.Errorf("job %s has prefixes %v", jb.Name, jb.Prefixes)
		}
	}
}

func TestNodeJob(t *testing.T) {
	p := parseOK(t, validHead+`  - name: tc
    type: job
    prefix: in/
    job:
      tag: Transcode
      template_id: t1460606b9752148c4ab182f55163ba7cd
      queue_id: p893bcda225bf4945a378da6662e81a89
      job_level: 0
      callback: https://hooks.example.com/ci
      user_data: hello
      output: {region: ap-chongqing, bucket: out-1250000000, object: "out/${InputName}.mp4"}
  - name: info
    type: job
    object: a.mp4
    job: {tag: MediaInfo, template_id: t01}
`)
	j := p.Jobs[0]
	n := j.Node
	if n == nil || j.Type != "job" || len(j.Workflows) != 0 {
		t.Fatalf("job = %+v", j)
	}
	if n.Tag != "Transcode" || n.TemplateID != "t1460606b9752148c4ab182f55163ba7cd" || n.QueueID != "p893bcda225bf4945a378da6662e81a89" ||
		n.Callback != "https://hooks.example.com/ci" || n.UserData != "hello" {
		t.Errorf("node = %+v", n)
	}
	if n.JobLevel == nil || *n.JobLevel != 0 {
		t.Errorf("job_level 0 must be kept as set: %v", n.JobLevel)
	}
	if n.Output == nil || *n.Output != (Output{Region: "ap-chongqing", Bucket: "out-1250000000", Object: "out/${InputName}.mp4"}) {
		t.Errorf("output = %+v", n.Output)
	}
	if m := p.Jobs[1].Node; m == nil || m.Output != nil || m.JobLevel != nil {
		t.Errorf("MediaInfo node = %+v", m)
	}
}

func TestWindowTimes(t *testing.T) {
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	ny, _ := time.LoadLocation("America/New_York")
	tests := []struct {
		tz, start string
		want      time.Time
	}{
		{"UTC", "2024-01-01T00:00:00+08:00", time.Date(2024, 1, 1, 0, 0, 0, 0, shanghai)},
		{"UTC", "2024-01-01T00:00:00Z", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"Asia/Shanghai", "2024-01-01T00:00:00", time.Date(2024, 1, 1, 0, 0, 0, 0, shanghai)},
		{"Asia/Shanghai", "'2024-01-01 06:30:00'", time.Date(2024, 1, 1, 6, 30, 0, 0, shanghai)},
		{"Asia/Shanghai", "2024-01-01", time.Date(2024, 1, 1, 0, 0, 0, 0, shanghai)},
		{"America/New_York", "2024-07-01", time.Date(2024, 7, 1, 0, 0, 0, 0, ny)},
		{"'+08:00'", "2024-01-01", time.Date(2024, 1, 1, 0, 0, 0, 0, shanghai)},
		{"'-05:30'", "2024-01-01", time.Date(2024, 1, 1, 5, 30, 0, 0, time.UTC)},
		{"Z", "2024-01-01", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.tz+" "+tt.start, func(t *testing.T) {
			p := parseOK(t, validHead+"  - name: a\n    prefix: in/\n    timezone: "+tt.tz+
				"\n    window:\n      start: "+tt.start+"\n      end: 2030-01-01T00:00:00Z\n")
			w := p.Jobs[0].Window
			if w == nil || !w.Start.Equal(tt.want) {
				t.Fatalf("start = %v, want %v", w, tt.want)
			}
			if w.Every != nil {
				t.Errorf("every = %+v, want nil", w.Every)
			}
			if got, want := w.Start.Format(TimeLayout), tt.want.In(p.Jobs[0].Timezone).Format(TimeLayout); got != want {
				t.Errorf("start renders %s, want %s (in the job's timezone)", got, want)
			}
		})
	}
}

func TestSteps(t *testing.T) {
	tests := map[string]Step{
		"1d":    {Days: 1, Text: "1d"},
		"2w":    {Days: 14, Text: "2w"},
		"1mo":   {Months: 1, Text: "1mo"},
		"3mo":   {Months: 3, Text: "3mo"},
		"30m":   {Duration: 30 * time.Minute, Text: "30m"},
		"24h":   {Duration: 24 * time.Hour, Text: "24h"},
		"1h30m": {Duration: 90 * time.Minute, Text: "1h30m"},
		"1.5h":  {Duration: 90 * time.Minute, Text: "1.5h"},
	}
	for in, want := range tests {
		p := parseOK(t, validHead+"  - name: a\n    prefix: in/\n    window:\n      start: 2024-01-01\n      end: 2024-06-01\n      every: "+in+"\n")
		if got := p.Jobs[0].Window.Every; got == nil || *got != want {
			t.Errorf("every %s = %+v, want %+v", in, got, want)
		}
	}
}

func TestGenerationAndDescriptions(t *testing.T) {
	p := parseOK(t, "version: 1\nname: g\ndescription: what it is\ngeneration: 3\n"+
		"defaults: {bucket: b-1250000000, region: ap-beijing, workflow: w7476ff3564ee45b7b490d64bccaba6cc}\n"+
		"jobs:\n  - name: a\n    description: a job\n    object: x\n")
	if p.Generation != 3 {
		t.Errorf("generation = %d", p.Generation)
	}
}

func TestAnchorsAndMergeKeys(t *testing.T) {
	p := parseOK(t, validHead+`  - &common
    name: a
    prefix: in/
    timezone: Asia/Shanghai
    workflows: &wfs [w0000000000000000000000000000000a, w0000000000000000000000000000000b]
    window: {start: 2024-01-01, end: 2024-01-02}
  - <<: *common
    name: b
    prefix: in/b/
  - name: c
    object: x.mp4
    workflows: *wfs
`)
	b := p.Jobs[1]
	if b.Name != "b" || b.Prefixes[0] != "in/b/" || b.TZName != "Asia/Shanghai" || len(b.Workflows) != 2 || b.Window == nil {
		t.Errorf("merged job = %+v", b)
	}
	if len(p.Jobs[2].Workflows) != 2 {
		t.Errorf("aliased workflows = %v", p.Jobs[2].Workflows)
	}
}

func TestProblemsAreCollectedAndSorted(t *testing.T) {
	probs := parseProblems(t, validHead+`  - name: a
    prefx: in/
  - name: a
    prefix: in/
    window: {start: 2024-02-01, end: 2024-01-01, every: 0d}
`)
	var got []string
	for _, p := range probs {
		got = append(got, p.String())
	}
	want := []string{
		"plan.yaml:8:5: jobs[0]: no input: set one of prefix, prefixes, manifest, url_file or object",
		`plan.yaml:9:5: jobs[0].prefx: unknown key "prefx" (did you mean "prefix"?)`,
		`plan.yaml:10:11: jobs[1].name: duplicate job name "a" (first at line 8): job names must be unique in a plan`,
		"plan.yaml:12:38: jobs[1].window.end: must be after start (2024-02-01)",
		"plan.yaml:12:57: jobs[1].window.every: step must be longer than zero",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if probs.Error() != strings.Join(want, "\n") {
		t.Errorf("Error() = %q", probs.Error())
	}
}

func TestResolvedValuesAreChecked(t *testing.T) {
	// A bad defaults.workflow is reported once, at its own position, although two jobs use it.
	probs := parseProblems(t, "version: 1\nname: d\ndefaults:\n  bucket: b-1\n  region: ap-beijing\n  workflow: wXYZ\n"+
		"jobs:\n  - {name: a, prefix: x/}\n  - {name: b, prefix: y/}\n  - {name: c, prefix: z/, type: job, job: {tag: MediaInfo, template_id: t1}}\n")
	if len(probs) != 1 || probs[0].Line != 6 || probs[0].Path != "defaults.workflow" {
		t.Errorf("problems = %v", probs)
	}
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{File: "a.yaml", Line: 3, Col: 7, Path: "jobs[0].name", Message: "m"}, "a.yaml:3:7: jobs[0].name: m"},
		{Problem{File: "a.yaml", Line: 3, Col: 7, Message: "m"}, "a.yaml:3:7: m"},
		{Problem{File: "a.yaml", Message: "empty plan"}, "a.yaml:1:1: empty plan"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestPathString(t *testing.T) {
	doc := map[string]any{"jobs": []any{map[string]any{"a.b": 1, "1": 2, "window": map[string]any{}}}}
	for ptr, want := range map[string]string{
		"jobs/0/window/every": "jobs[0].window.every",
		"jobs/0/a.b":          `jobs[0]["a.b"]`,
		"jobs/0/1":            `jobs[0]["1"]`,
		"jobs":                "jobs",
	} {
		if got := pathString(doc, strings.Split(ptr, "/")); got != want {
			t.Errorf("pathString(%s) = %s, want %s", ptr, got, want)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "missing.yaml"))
	var probs Problems
	if !errors.Is(err, fs.ErrNotExist) || errors.As(err, &probs) {
		t.Errorf("missing file: %v, want a wrapped fs.ErrNotExist, not Problems", err)
	}
	_, err = Load(t.TempDir())
	if !errors.Is(err, ErrIsDir) {
		t.Errorf("directory: %v, want ErrIsDir", err)
	}
}

// TestHugeFileRefusedWithoutReading gives Load a 100 MB file (sparse: the test writes no
// data) and Parse 8 MiB + 1 byte; both are refused with one problem at 1:1.
func TestHugeFileRefusedWithoutReading(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.yaml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(100 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = Load(path)
	runtime.ReadMemStats(&after)
	var probs Problems
	if !errors.As(err, &probs) || len(probs) != 1 || !strings.Contains(probs[0].Message, "too large") || probs[0].Line != 1 {
		t.Fatalf("Load(100 MB) = %v", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Errorf("Load allocated %d bytes for a file it must not read", grew)
	}
	data := make([]byte, maxPlanBytes+1)
	if _, err := Parse("big.yaml", data); !errors.As(err, &probs) || !strings.Contains(probs[0].Message, "too large") {
		t.Errorf("Parse(8 MiB + 1) = %v", err)
	}
}

// TestAliasBombBoundedMemory refuses a twelve-level "billion laughs" (10^12 nodes once
// expanded) without expanding it.
func TestAliasBombBoundedMemory(t *testing.T) {
	var b strings.Builder
	b.WriteString("version: 1\nname: bomb\nx0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i <= 12; i++ {
		prev := "*x" + string(rune('a'+i-1))
		if i == 1 {
			prev = "*x0"
		}
		name := "x" + string(rune('a'+i))
		b.WriteString(name + ": &" + name + " [" + strings.Repeat(prev+", ", 9) + prev + "]\n")
	}
	b.WriteString("jobs: *xm\n")
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	probs := parseProblems(t, b.String())
	runtime.ReadMemStats(&after)
	if len(probs) != 1 || !strings.Contains(probs[0].Message, "alias bomb") {
		t.Fatalf("problems = %v", probs)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
		t.Errorf("refusing the bomb allocated %d bytes", grew)
	}
}

// TestParseConcurrently parses the examples from many goroutines: the compiled schema is
// shared (run with -race).
func TestParseConcurrently(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "plans", "examples", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatal(files, err)
	}
	errs := make(chan error, 4*len(files))
	for range 4 {
		for _, f := range files {
			go func() {
				_, err := Load(f)
				errs <- err
			}()
		}
	}
	for range 4 * len(files) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestNamePosition(t *testing.T) {
	p := parseOK(t, validHead+"  - name: a\n    prefix: in/\n")
	if p.NamePos.Line != 2 || p.NamePos.Col != 7 {
		t.Errorf("NamePos = %+v, want 2:7 (the value of name: on line 2)", p.NamePos)
	}
}
