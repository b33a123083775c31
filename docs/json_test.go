package docs_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

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
// the in-process emulator, status, validate) and checks that every key of its JSON is
// named in docs/json.md, so the documented field list cannot fall behind.
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
	add := func(out string, lines bool) {
		t.Helper()
		if !lines {
			var v any
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatalf("not JSON: %v\n%.300s", err, out)
			}
			keysOf(v, "", keys)
			return
		}
		sc := bufio.NewScanner(strings.NewReader(out))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var v any
			if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
				t.Fatalf("not JSON Lines: %v\n%.300s", err, sc.Text())
			}
			keysOf(v, "", keys)
		}
	}
	out, code := runPlanrun(t, dir, "run", "--dry-run", "--format", "json", "--shard", "1/40", plan)
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
	add(string(b), false)
	out, code = runPlanrun(t, dir, "status", "--emulator", "--format", "json")
	if code != 0 {
		t.Fatalf("status: exit %d\n%s", code, out)
	}
	add(out, true)
	out, code = runPlanrun(t, dir, "validate", "--format", "json", plan)
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
	if len(keys) < 30 {
		t.Errorf("only %d keys seen: the outputs went missing", len(keys))
	}
}
