package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
	_ "github.com/planrun/planrun/internal/testflag" // accepts -update
	"github.com/planrun/planrun/plan"
)

// TestMain removes the binary the subprocess tests share (relBuild) after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	testenv.RemoveBuilt()
	os.Exit(code)
}

// result is what one invocation of the CLI produced.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs planrun in-process with the given environment variables (nothing is inherited
// from the test process).
func runCLI(t *testing.T, vars map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, getenv: func(k string) string { return vars[k] }}
	code := run(context.Background(), args, e)
	return result{code, out.String(), errb.String()}
}

func emulatorVars() map[string]string {
	return map[string]string{"TENCENTCLOUD_SECRET_ID": emulator.DefaultSecretID, "TENCENTCLOUD_SECRET_KEY": emulator.DefaultSecretKey}
}

const examples = "../../plans/examples"

const smallPlan = `version: 1
name: small
defaults:
  bucket: examplebucket-1250000000
  region: ap-beijing
  workflow: w7476ff3564ee45b7b490d64bccaba6cc
  timezone: Asia/Shanghai
jobs:
  - name: days
    prefixes: [a/, b/]
    window: {start: 2024-01-01, end: 2024-01-16, every: 1d}
  - name: one
    object: x/y.mp4
`

func TestValidateExamplesAndExitCodes(t *testing.T) {
	r := runCLI(t, nil, "validate", examples)
	if r.code != 0 || !strings.Contains(r.stdout, "plans valid") {
		t.Fatalf("validate examples: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	bad := testenv.WritePlan(t, "version: 1\nname: demo\njobs:\n  - name: a\n    prefx: in/\n    bucket: b-1\n")
	r = runCLI(t, nil, "validate", bad)
	if r.code != 1 {
		t.Fatalf("invalid plan: code %d, want 1\n%s", r.code, r.stdout)
	}
	if !strings.Contains(r.stdout, bad+":5:5: jobs[0].prefx: unknown key") {
		t.Errorf("no file:line:col problem for the unknown key:\n%s", r.stdout)
	}
	for _, args := range [][]string{{"validate"}, {"validate", "--nope", examples}, {"nope"}, {"run", "--format", "xml", examples}, {}} {
		if r := runCLI(t, nil, args...); r.code != 2 {
			t.Errorf("planrun %v: code %d, want 2\n%s", args, r.code, r.stderr)
		}
	}
	if r := runCLI(t, nil, "validate", filepath.Join(t.TempDir(), "missing.yaml")); r.code != 2 {
		t.Errorf("missing file: code %d, want 2", r.code)
	}
}

func TestHelpOnEveryCommand(t *testing.T) {
	for _, c := range commands() {
		r := runCLI(t, nil, c.name, "--help")
		if r.code != 0 || !strings.Contains(r.stdout, "Usage: planrun "+c.name) {
			t.Errorf("%s --help: code %d\n%s", c.name, r.code, r.stderr)
		}
		if c.name != "version" && !strings.Contains(r.stdout, "Example") {
			t.Errorf("%s --help has no examples", c.name)
		}
	}
}

func TestValidateFormats(t *testing.T) {
	bad := testenv.WritePlan(t, "version: 1\nname: demo\njobs:\n  - name: a\n    prefx: in/\n")
	r := runCLI(t, nil, "validate", "--format", "json", bad, examples)
	var doc struct {
		Valid bool
		Files []struct {
			Path     string
			Valid    bool
			Problems []struct {
				Line, Col int
				Message   string
			}
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc.Valid || len(doc.Files) != 7 {
		t.Fatalf("json: %v %+v\n%s", err, doc, r.stdout)
	}
	r = runCLI(t, nil, "validate", "--format", "junit", bad, examples)
	var suites struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Text string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(r.stdout), &suites); err != nil || suites.Tests != 7 || suites.Failures != 1 {
		t.Fatalf("junit: %v %+v\n%s", err, suites, r.stdout)
	}
	r = runCLI(t, nil, "validate", "--format", "github", bad)
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if !strings.HasPrefix(line, "::error file="+bad+",line=") {
			t.Errorf("not an annotation: %q", line)
		}
	}
	r = runCLI(t, nil, "validate", "--format", "github", examples)
	if r.code != 0 || strings.TrimSpace(r.stdout) != "::notice title=planrun validate::6 plans valid" {
		t.Errorf("valid plans in github format: code %d, %q", r.code, r.stdout)
	}
}

func TestDryRunJSONIsTheExpansion(t *testing.T) {
	path := filepath.Join(examples, "video-backfill.yaml")
	r := runCLI(t, nil, "run", "--dry-run", "--format", "json", path)
	if r.code != 0 {
		t.Fatalf("code %d: %s", r.code, r.stderr)
	}
	p, err := plan.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != p.Count() || len(lines) != 364 {
		t.Fatalf("%d lines, want %d", len(lines), p.Count())
	}
	i := 0
	for req := range p.Requests() {
		var rec struct{ Name, Bucket, Region, Body string }
		if err := json.Unmarshal([]byte(lines[i]), &rec); err != nil {
			t.Fatal(err)
		}
		var body struct {
			Name  string
			Input struct{ Prefix string }
		}
		if err := xml.Unmarshal([]byte(rec.Body), &body); err != nil {
			t.Fatalf("line %d: body is not XML: %v", i, err)
		}
		if rec.Name != req.Name || body.Name != req.Name || rec.Bucket != req.Bucket || rec.Region != req.Region || body.Input.Prefix != req.Input {
			t.Fatalf("line %d = %+v, want request %+v", i, rec, req)
		}
		i++
	}
	again := runCLI(t, nil, "run", "--dry-run", "--format", "json", path)
	if again.stdout != r.stdout {
		t.Error("two dry runs of the same plan differ")
	}
}

func TestMaxRequestsRefusesBeforeSending(t *testing.T) {
	emu, _ := testenv.Start(t, emulator.Options{})
	path := filepath.Join(examples, "video-backfill.yaml")
	r := runCLI(t, emulatorVars(), "run", "--max-requests", "100", "--endpoint", emu.URL, "--state", filepath.Join(t.TempDir(), "s.db"), path)
	if r.code != 1 || !strings.Contains(r.stderr, "364") || !strings.Contains(r.stderr, "--max-requests") {
		t.Fatalf("code %d, stderr %s", r.code, r.stderr)
	}
	if n := len(emu.Server.Jobs()); n != 0 {
		t.Fatalf("%d jobs created despite the limit", n)
	}
}

func TestRunNeedsCredentials(t *testing.T) {
	r := runCLI(t, nil, "run", "--state", filepath.Join(t.TempDir(), "s.db"), filepath.Join(examples, "url-file.yaml"))
	if r.code != 2 || !strings.Contains(r.stderr, "TENCENTCLOUD_SECRET_ID") {
		t.Fatalf("code %d: %s", r.code, r.stderr)
	}
}
