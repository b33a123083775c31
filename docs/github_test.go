package docs_test

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// yamlText renders a decoded value back to YAML, to search a job for a string.
func yamlText(t *testing.T, v any) string {
	t.Helper()
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// stepsRunning returns the `run` scripts of steps whose script contains s.
func stepsRunning(steps []any, s string) []string {
	var out []string
	for _, st := range steps {
		if r := str(dig(st, "run")); strings.Contains(r, s) {
			out = append(out, r)
		}
	}
	return out
}

// stepUsing returns the first step whose `uses` starts with action.
func stepUsing(steps []any, action string) map[string]any {
	for _, st := range steps {
		if strings.HasPrefix(str(dig(st, "uses")), action) {
			m, _ := st.(map[string]any)
			return m
		}
	}
	return nil
}

var ghShardRE = regexp.MustCompile(`--shard\s+\$\{\{\s*matrix\.shard\s*\}\}/(\d+)\b`)

// TestGitHubWorkflow checks docs/github-actions.yml: triggers, that every step runs or uses
// something (pinned), the pull-request job (validate, preview, sticky comment, no secrets) and
// the sharded run job (matrix 1..N == --shard K/N, secrets, per-shard cache, JUnit upload).
func TestGitHubWorkflow(t *testing.T) {
	docs := loadYAML(t, "github-actions.yml")
	if len(docs) != 1 {
		t.Fatalf("want one document, got %d", len(docs))
	}
	wf := docs[0]
	on, ok := wf["on"].(map[string]any)
	if !ok {
		t.Fatalf("no `on` mapping (got %T)", wf["on"])
	}
	if p := yamlText(t, dig(on, "pull_request", "paths")); !strings.Contains(p, "plans/**") {
		t.Errorf("on.pull_request.paths = %s, want plans/**", p)
	}
	if b := yamlText(t, dig(on, "push", "branches")); !strings.Contains(b, "main") {
		t.Errorf("on.push.branches = %s, want main", b)
	}
	jobs, ok := wf["jobs"].(map[string]any)
	if !ok || len(jobs) == 0 {
		t.Fatal("no jobs")
	}
	var prJob, runJob map[string]any
	for name, j := range jobs {
		job, _ := j.(map[string]any)
		if job == nil || dig(job, "runs-on") == nil {
			t.Errorf("job %s: no runs-on", name)
			continue
		}
		steps := list(job["steps"])
		if len(steps) == 0 {
			t.Errorf("job %s: no steps", name)
		}
		for i, st := range steps {
			uses, run := str(dig(st, "uses")), str(dig(st, "run"))
			if (uses == "") == (run == "") {
				t.Errorf("job %s step %d: want exactly one of uses or run", name, i+1)
			}
			if uses != "" && !regexp.MustCompile(`^[\w.-]+/[\w./-]+@\S+$`).MatchString(uses) {
				t.Errorf("job %s step %d: uses %q is not owner/repo@version", name, i+1, uses)
			}
		}
		if len(stepsRunning(steps, "planrun validate")) > 0 {
			prJob = job
		}
		if len(stepsRunning(steps, "--shard")) > 0 {
			runJob = job
		}
	}
	if prJob == nil || runJob == nil {
		t.Fatalf("want a job running planrun validate and one running planrun run --shard")
	}
	checkGitHubPreview(t, prJob)
	checkGitHubRun(t, runJob)
}

func checkGitHubPreview(t *testing.T, job map[string]any) {
	t.Helper()
	steps := list(job["steps"])
	if !strings.Contains(str(job["if"]), "pull_request") {
		t.Errorf("preview job: if = %q, want it limited to pull_request", job["if"])
	}
	if len(stepsRunning(steps, "planrun validate --format github plans/")) == 0 {
		t.Error("preview job: no `planrun validate --format github plans/` step")
	}
	preview := stepsRunning(steps, "planrun run --dry-run --format markdown plans/ > ")
	if len(preview) == 0 {
		t.Fatal("preview job: no `planrun run --dry-run --format markdown plans/ > FILE` step")
	}
	file := strings.TrimSpace(preview[0][strings.LastIndex(preview[0], ">")+1:])
	comment := stepUsing(steps, "marocchino/sticky-pull-request-comment@")
	if comment == nil {
		t.Fatal("preview job: no sticky comment step")
	}
	if got := str(dig(comment, "with", "path")); got != file {
		t.Errorf("sticky comment posts %q, the preview is written to %q", got, file)
	}
	if str(dig(job, "permissions", "pull-requests")) != "write" {
		t.Error("preview job: the sticky comment needs permissions pull-requests: write")
	}
	if strings.Contains(yamlText(t, job), "secrets.") {
		t.Error("preview job uses secrets: validate and --dry-run need none, and pull requests must not get them")
	}
}

func checkGitHubRun(t *testing.T, job map[string]any) {
	t.Helper()
	steps := list(job["steps"])
	shards := list(dig(job, "strategy", "matrix", "shard"))
	if len(shards) == 0 {
		t.Fatal("run job: no strategy.matrix.shard")
	}
	for i, s := range shards {
		if n, ok := s.(int); !ok || n != i+1 {
			t.Errorf("run job: matrix.shard[%d] = %v, want %d (K is 1-based)", i, s, i+1)
		}
	}
	runs := stepsRunning(steps, "planrun run")
	if len(runs) != 1 {
		t.Fatalf("run job: %d planrun run steps, want 1", len(runs))
	}
	script := runs[0]
	m := ghShardRE.FindStringSubmatch(script)
	if m == nil {
		t.Fatalf("run job: no --shard ${{ matrix.shard }}/N in %q", script)
	}
	if n, _ := strconv.Atoi(m[1]); n != len(shards) {
		t.Errorf("run job: --shard .../%d but the matrix has %d shards", n, len(shards))
	}
	n := m[1]
	for _, want := range []string{"--format github", "--junit junit.xml", "--report report.json", "--wait", "plans/"} {
		if !strings.Contains(script, want) {
			t.Errorf("run job: command lacks %q", want)
		}
	}
	text := yamlText(t, job)
	for _, v := range []string{"TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"} {
		if !strings.Contains(text, fmt.Sprintf("%s: ${{ secrets.%s }}", v, v)) {
			t.Errorf("run job: %s is not taken from the repository secret", v)
		}
	}
	if !strings.Contains(str(dig(job, "concurrency", "group")), "matrix.shard") {
		t.Error("run job: the concurrency group must be per shard (two runs of a shard at once could both send)")
	}
	restore, save := stepUsing(steps, "actions/cache/restore@"), stepUsing(steps, "actions/cache/save@")
	if restore == nil || save == nil {
		t.Fatal("run job: want actions/cache/restore and actions/cache/save for the state")
	}
	for _, st := range []map[string]any{restore, save} {
		if p := str(dig(st, "with", "path")); p != ".planrun" {
			t.Errorf("cache path = %q, want .planrun (the default state directory)", p)
		}
		key := str(dig(st, "with", "key"))
		if !strings.Contains(key, "${{ matrix.shard }}-of-"+n) {
			t.Errorf("cache key %q is not per shard and N", key)
		}
	}
	if str(dig(save, "if")) != "always()" {
		t.Error("run job: save the state with if: always(): it records what is done even after failures")
	}
	upload := stepUsing(steps, "actions/upload-artifact@")
	if upload == nil {
		t.Fatal("run job: no actions/upload-artifact step")
	}
	if !strings.Contains(str(dig(upload, "with", "path")), "junit.xml") || str(dig(upload, "if")) != "always()" {
		t.Error("run job: upload junit.xml with if: always()")
	}
	if !strings.Contains(str(dig(upload, "with", "name")), "matrix.shard") {
		t.Error("run job: artifact names must differ per shard (upload-artifact v4 refuses duplicates)")
	}
}
