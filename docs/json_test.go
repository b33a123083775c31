package docs_test

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// emptyStrings lists where v holds "" (a key left in when it has nothing to say).
func emptyStrings(v any, path string, into map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			emptyStrings(val, strings.TrimPrefix(path+"."+k, "."), into)
		}
	case []any:
		for _, e := range x {
			emptyStrings(e, path+"[]", into)
		}
	case string:
		if x == "" {
			into[path] = true
		}
	}
}

// stdoutOf runs the built planrun in dir like runPlanrun, returning stdout alone (JSON
// Lines must not be mixed with the lines of stderr).
func stdoutOf(t *testing.T, dir string, args ...string) (string, int) {
	t.Helper()
	path, _ := planrun(t)
	cmd := exec.Command(path, args...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "TENCENTCLOUD_") || strings.HasPrefix(kv, "GITHUB_STEP_SUMMARY=") {
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return out.String(), exit.ExitCode()
	case err != nil:
		t.Fatalf("run planrun %v: %v\n%s", args, err, errOut.String())
	}
	return out.String(), 0
}

// keysOf collects the keys of v, nested ones as "parent.key" and also bare.
func keysOf(v any, prefix string, into map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			into[k] = true
			if prefix != "" {
				into[prefix+"."+k] = true
			}
			keysOf(val, k, into)
		}
	case []any:
		for _, e := range x {
			keysOf(e, prefix, into)
		}
	}
}

// TestJSONFieldsAreDocumented runs the real CLI (dry run, a run with --wait and --report on
// the in-process emulator, status, results as JSON and CSV, the retry preview, cancel,
// validate) and checks that every key of its JSON is named in docs/json.md, so the
// documented field list cannot fall behind, and that no value is an empty string
// (optional fields are left out instead).
func TestJSONFieldsAreDocumented(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a real run with --wait (a few seconds)")
	}
	_, root := planrun(t)
	doc, err := os.ReadFile("json.md")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	plan := filepath.Join(root, "plans", "examples", "video-backfill.yaml")
	keys := map[string]bool{}
	empty := map[string]bool{} // "output: key.path"
	var output string
	add := func(out string, lines bool) {
		t.Helper()
		if !lines {
			var v any
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatalf("not JSON: %v\n%.300s", err, out)
			}
			keysOf(v, "", keys)
			found := map[string]bool{}
			emptyStrings(v, "", found)
			for k := range found {
				empty[output+": "+k] = true
			}
			return
		}
		seen := 0
		sc := bufio.NewScanner(strings.NewReader(out))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var v any
			if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
				t.Fatalf("%s: not JSON Lines: %v\n%.300s", output, err, sc.Text())
			}
			seen++
			keysOf(v, "", keys)
			found := map[string]bool{}
			emptyStrings(v, "", found)
			for k := range found {
				empty[output+": "+k] = true
			}
		}
		if seen == 0 {
			t.Errorf("%s: no JSON line", output)
		}
	}
	output = "run --dry-run --format json"
	out, code := stdoutOf(t, dir, "run", "--dry-run", "--format", "json", "--shard", "1/40", plan)
	if code != 0 {
		t.Fatalf("dry run: exit %d\n%s", code, out)
	}
	add(out, true)
	out, code = runPlanrun(t, dir, "run", "--emulator", "--quiet", "--wait", "--poll-interval", "100ms",
		"--shard", "1/40", "--report", "r.json", plan)
	if code != 0 {
		t.Fatalf("run: exit %d\n%s", code, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "r.json"))
	if err != nil {
		t.Fatal(err)
	}
	output = "run --report"
	add(string(b), false)
	output = "status --format json"
	out, code = stdoutOf(t, dir, "status", "--emulator", "--format", "json")
	if code != 0 {
		t.Fatalf("status: exit %d\n%s", code, out)
	}
	add(out, true)
	// The emulator fails a few objects: results has failures, and retry something to retry.
	// A small plan of its own, all run: results, retry and cancel read every request.
	small := filepath.Join(dir, "small.yaml")
	if err := os.WriteFile(small, []byte(`version: 1
name: json-small
defaults: {bucket: examplebucket-1250000000, region: ap-beijing, workflow: w7476ff3564ee45b7b490d64bccaba6cc}
jobs:
  - name: days
    prefix: input/video/
    window: {start: 2024-01-01T00:00:00+08:00, end: 2024-01-05T00:00:00+08:00, every: 1d}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, code := runPlanrun(t, dir, "run", "--emulator", "--quiet", "--wait", "--poll-interval", "100ms", small); code != 0 {
		t.Fatalf("run small: exit %d\n%s", code, out)
	}
	output = "results --format json"
	out, code = stdoutOf(t, dir, "results", "--emulator", "--format", "json", small)
	if code > 1 {
		t.Fatalf("results: exit %d\n%s", code, out)
	}
	add(out, true)
	if !strings.Contains(out, `"error":{`) {
		t.Errorf("results: no failed object to check the error object with:\n%.500s", out)
	}
	csvOut, code := stdoutOf(t, dir, "results", "--emulator", "--format", "csv", small)
	if code > 1 {
		t.Fatalf("results csv: exit %d\n%s", code, csvOut)
	}
	if rows, err := csv.NewReader(strings.NewReader(csvOut)).ReadAll(); err != nil || len(rows) < 2 {
		t.Errorf("results csv: %v\n%.300s", err, csvOut)
	} else {
		var line map[string]any
		json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &line)
		for k := range line {
			if !strings.Contains(strings.Join(rows[0], ","), k) {
				t.Errorf("results csv: the header %v lacks the JSON field %q", rows[0], k)
			}
		}
	}
	output = "retry --dry-run --format json"
	out, code = stdoutOf(t, dir, "retry", "--emulator", "--dry-run", "--format", "json", small)
	if code > 1 {
		t.Fatalf("retry --dry-run: exit %d\n%s", code, out)
	}
	add(out, true)
	output = "cancel --format json"
	out, code = stdoutOf(t, dir, "cancel", "--emulator", "--format", "json", small)
	if code > 1 {
		t.Fatalf("cancel: exit %d\n%s", code, out)
	}
	add(out, true)
	output = "validate --format json"
	out, code = stdoutOf(t, dir, "validate", "--format", "json", plan)
	if code != 0 {
		t.Fatalf("validate: exit %d\n%s", code, out)
	}
	add(out, false)

	var missing []string
	for k := range keys {
		if strings.Contains(k, ".") || strings.ToUpper(k[:1]) == k[:1] {
			continue // wait.states is keyed by job state; nested keys are checked bare
		}
		if !strings.Contains(string(doc), "`"+k+"`") && !strings.Contains(string(doc), k+",") && !strings.Contains(string(doc), ", "+k) {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("docs/json.md does not name these fields: %v", missing)
	}
	var blank []string
	for k := range empty {
		blank = append(blank, k)
	}
	sort.Strings(blank)
	if len(blank) > 0 {
		t.Errorf("empty strings where a field should be left out: %v", blank)
	}
	if len(keys) < 30 {
		t.Errorf("only %d keys seen: the outputs went missing", len(keys))
	}
}
