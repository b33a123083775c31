package docs_test

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// gitlabReserved are top-level keys of .gitlab-ci.yml that are not jobs.
var gitlabReserved = map[string]bool{
	"stages": true, "variables": true, "default": true, "include": true, "workflow": true,
	"image": true, "services": true, "cache": true, "before_script": true, "after_script": true,
}

var glShardRE = regexp.MustCompile(`--shard\s+\$\{?CI_NODE_INDEX\}?/(\$\{?CI_NODE_TOTAL\}?|\d+)`)

// TestGitLabPipeline checks docs/gitlab-ci.yml: stages, templates, the merge-request jobs
// (validate with a JUnit report, preview), the lock around the child pipeline, and the
// parallel shard job (parallel N == --shard .../N, per-shard cache, JUnit report).
func TestGitLabPipeline(t *testing.T) {
	docs := loadYAML(t, "gitlab-ci.yml")
	if len(docs) != 1 {
		t.Fatalf("want one document, got %d", len(docs))
	}
	ci := docs[0]
	var stages []string
	for _, s := range list(ci["stages"]) {
		stages = append(stages, str(s))
	}
	jobs := map[string]map[string]any{}
	for name, v := range ci {
		m, _ := v.(map[string]any)
		if gitlabReserved[name] || strings.HasPrefix(name, ".") || m == nil {
			continue
		}
		jobs[name] = m
	}
	var validate, preview, shard, lock string
	for name, job := range jobs {
		if ext := str(job["extends"]); ext != "" {
			if _, ok := ci[ext].(map[string]any); !ok {
				t.Errorf("job %s extends %q, which does not exist", name, ext)
			}
		}
		if !slices.Contains(stages, str(job["stage"])) {
			t.Errorf("job %s: stage %q is not in stages %v", name, job["stage"], stages)
		}
		if job["trigger"] != nil {
			lock = name
			continue
		}
		script := strings.Join(stringList(job["script"]), "\n")
		if script == "" {
			t.Errorf("job %s: no script", name)
		}
		switch {
		case strings.Contains(script, "planrun validate"):
			validate = name
		case strings.Contains(script, "planrun run --dry-run --format markdown"):
			preview = name
		case strings.Contains(script, "--shard"):
			shard = name
		}
	}
	if validate == "" || preview == "" || shard == "" || lock == "" {
		t.Fatalf("want validate, preview, shard and trigger jobs; got %q %q %q %q", validate, preview, shard, lock)
	}
	for _, name := range []string{validate, preview} {
		if !strings.Contains(yamlText(t, jobs[name]["rules"]), "merge_request_event") {
			t.Errorf("job %s: should run on merge requests", name)
		}
	}
	checkJUnit(t, validate, jobs[validate])
	checkGitLabShard(t, shard, jobs[shard])
	checkGitLabLock(t, lock, jobs[lock])
}

func stringList(v any) []string {
	var out []string
	for _, s := range list(v) {
		out = append(out, str(s))
	}
	return out
}

// checkJUnit checks that the job's --junit file is its artifacts:reports:junit, kept always.
func checkJUnit(t *testing.T, name string, job map[string]any) {
	t.Helper()
	script := strings.Join(stringList(job["script"]), "\n")
	m := regexp.MustCompile(`--junit\s+(\S+)`).FindStringSubmatch(script)
	if m == nil {
		t.Errorf("job %s: no --junit FILE", name)
		return
	}
	if got := str(dig(job, "artifacts", "reports", "junit")); got != m[1] {
		t.Errorf("job %s: artifacts:reports:junit = %q, --junit writes %q", name, got, m[1])
	}
	if str(dig(job, "artifacts", "when")) != "always" {
		t.Errorf("job %s: artifacts need when: always (the report matters most on failure)", name)
	}
}

func checkGitLabShard(t *testing.T, name string, job map[string]any) {
	t.Helper()
	n, ok := job["parallel"].(int)
	if !ok || n < 2 {
		t.Fatalf("job %s: parallel = %v, want an integer N >= 2", name, job["parallel"])
	}
	script := strings.Join(stringList(job["script"]), "\n")
	m := glShardRE.FindStringSubmatch(script)
	if m == nil {
		t.Fatalf("job %s: no --shard ${CI_NODE_INDEX}/N in %q", name, script)
	}
	if k, err := strconv.Atoi(m[1]); err == nil && k != n {
		t.Errorf("job %s: --shard .../%d but parallel: %d", name, k, n)
	}
	for _, want := range []string{"planrun run", "--report", "--wait", "plans/"} {
		if !strings.Contains(script, want) {
			t.Errorf("job %s: command lacks %q", name, want)
		}
	}
	checkJUnit(t, name, job)
	if key := str(dig(job, "cache", "key")); !strings.Contains(key, "CI_NODE_INDEX") {
		t.Errorf("job %s: cache key %q is not per shard", name, key)
	}
	if paths := stringList(dig(job, "cache", "paths")); !slices.Contains(paths, ".planrun/") {
		t.Errorf("job %s: cache paths %v lack .planrun/ (the default state directory)", name, paths)
	}
	if str(dig(job, "cache", "when")) != "always" {
		t.Errorf("job %s: cache when: always keeps the state after failed requests too", name)
	}
	if !strings.Contains(yamlText(t, job["rules"]), "parent_pipeline") {
		t.Errorf("job %s: should run only in the child pipeline started by the lock", name)
	}
}

func checkGitLabLock(t *testing.T, name string, job map[string]any) {
	t.Helper()
	if str(job["resource_group"]) == "" {
		t.Errorf("job %s: no resource_group: two pipelines could run the same plans at once", name)
	}
	if str(dig(job, "trigger", "strategy")) != "depend" {
		t.Errorf("job %s: trigger strategy must be depend (hold the lock until the shards finish)", name)
	}
	if str(dig(job, "trigger", "include")) != ".gitlab-ci.yml" {
		t.Errorf("job %s: trigger include = %v, want this file as .gitlab-ci.yml", name, dig(job, "trigger", "include"))
	}
	if rules := yamlText(t, job["rules"]); !strings.Contains(rules, "CI_DEFAULT_BRANCH") || strings.Contains(rules, "merge_request_event") {
		t.Errorf("job %s: should run on the default branch only, never on merge requests", name)
	}
}
