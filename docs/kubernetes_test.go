package docs_test

import (
	"encoding/json"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var k8sShardRE = regexp.MustCompile(`--shard\s+"?\$\(\(\s*JOB_COMPLETION_INDEX\s*\+\s*1\s*\)\)/(\d+)"?`)

// TestKubernetesIndexedJob checks docs/kubernetes-indexed-job.yaml: an Indexed batch/v1 Job
// whose completions, parallelism and --shard N agree, with credentials from a Secret, the
// plan from a ConfigMap volume, the state on an emptyDir, and a retry policy.
func TestKubernetesIndexedJob(t *testing.T) {
	var job, configMap map[string]any
	for _, d := range loadYAML(t, "kubernetes-indexed-job.yaml") {
		switch str(d["kind"]) {
		case "Job":
			job = d
		case "ConfigMap":
			configMap = d
		}
	}
	if job == nil {
		t.Fatal("no kind: Job document")
	}
	if job["apiVersion"] != "batch/v1" {
		t.Errorf("apiVersion = %v, want batch/v1", job["apiVersion"])
	}
	spec, _ := job["spec"].(map[string]any)
	if str(spec["completionMode"]) != "Indexed" {
		t.Errorf("completionMode = %v, want Indexed", spec["completionMode"])
	}
	n, _ := spec["completions"].(int)
	if p, _ := spec["parallelism"].(int); n < 2 || p != n {
		t.Errorf("completions = %v, parallelism = %v: want equal, >= 2", spec["completions"], spec["parallelism"])
	}
	if spec["backoffLimitPerIndex"] == nil && spec["backoffLimit"] == nil {
		t.Error("no backoffLimitPerIndex or backoffLimit")
	}
	pod, _ := dig(spec, "template", "spec").(map[string]any)
	restart := str(pod["restartPolicy"])
	if restart != "Never" && restart != "OnFailure" {
		t.Errorf("restartPolicy = %q, want Never or OnFailure", restart)
	}
	if spec["podFailurePolicy"] != nil && restart != "Never" {
		t.Error("podFailurePolicy requires restartPolicy: Never")
	}
	containers := list(pod["containers"])
	if len(containers) != 1 {
		t.Fatalf("want one container, got %d", len(containers))
	}
	c, _ := containers[0].(map[string]any)
	for _, r := range list(dig(spec, "podFailurePolicy", "rules")) {
		if name := dig(r, "onExitCodes", "containerName"); name != nil && name != c["name"] {
			t.Errorf("podFailurePolicy names container %v, the container is %v", name, c["name"])
		}
	}
	cmd := strings.Join(append(stringList(c["command"]), stringList(c["args"])...), " ")
	m := k8sShardRE.FindStringSubmatch(cmd)
	if m == nil {
		t.Fatalf("the command lacks --shard \"$((JOB_COMPLETION_INDEX + 1))/N\": %q", cmd)
	}
	if k, _ := strconv.Atoi(m[1]); k != n {
		t.Errorf("--shard .../%d but completions: %d", k, n)
	}
	checkSecretEnv(t, c)
	mounts := checkVolumes(t, pod, c)
	state := regexp.MustCompile(`--state\s+(\S+)`).FindStringSubmatch(cmd)
	if state == nil || mounts[path.Dir(state[1])] != "emptyDir" {
		t.Errorf("--state must be on the emptyDir mount (mounts %v, command %q)", mounts, cmd)
	}
	plans := regexp.MustCompile(`\s(/\S+)\s*$`).FindStringSubmatch(strings.TrimSpace(cmd))
	if plans == nil || mounts[strings.TrimSuffix(plans[1], "/")] != "configMap" {
		t.Errorf("the plan path must be the ConfigMap mount (mounts %v, command %q)", mounts, cmd)
	}
	if configMap == nil {
		t.Fatal("no ConfigMap document with the plan")
	}
	checkConfigMapPlans(t, configMap, n)
}

func checkSecretEnv(t *testing.T, c map[string]any) {
	t.Helper()
	env := map[string]any{}
	for _, e := range list(c["env"]) {
		env[str(dig(e, "name"))] = e
	}
	for _, v := range []string{"TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"} {
		ref := dig(env[v], "valueFrom", "secretKeyRef")
		if str(dig(ref, "name")) == "" || str(dig(ref, "key")) == "" {
			t.Errorf("env %s: want valueFrom.secretKeyRef with name and key", v)
		}
		if dig(ref, "optional") == true {
			t.Errorf("env %s: must not be optional", v)
		}
	}
	if tok := dig(env["TENCENTCLOUD_SECURITY_TOKEN"], "valueFrom", "secretKeyRef"); tok != nil && dig(tok, "optional") != true {
		t.Error("env TENCENTCLOUD_SECURITY_TOKEN: only temporary keys have one; make it optional")
	}
}

// checkVolumes returns each mount path of the container with the kind of its volume.
func checkVolumes(t *testing.T, pod, c map[string]any) map[string]string {
	t.Helper()
	kinds := map[string]string{}
	for _, v := range list(pod["volumes"]) {
		for _, kind := range []string{"configMap", "emptyDir", "secret"} {
			if dig(v, kind) != nil {
				kinds[str(dig(v, "name"))] = kind
			}
		}
	}
	mounts := map[string]string{}
	for _, m := range list(c["volumeMounts"]) {
		kind, ok := kinds[str(dig(m, "name"))]
		if !ok {
			t.Errorf("volumeMount %v names no volume", dig(m, "name"))
		}
		mounts[str(dig(m, "mountPath"))] = kind
	}
	return mounts
}

// checkConfigMapPlans validates each plan of the ConfigMap with the real planrun and checks
// that the N shards of its dry run hold every request exactly once.
func checkConfigMapPlans(t *testing.T, cm map[string]any, n int) {
	t.Helper()
	data, _ := cm["data"].(map[string]any)
	if len(data) == 0 {
		t.Fatal("the ConfigMap holds no plan")
	}
	dir := t.TempDir()
	for name, body := range data {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(str(body)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if out, code := runPlanrun(t, dir, "validate", "."); code != 0 {
		t.Fatalf("the ConfigMap's plan is invalid (exit %d):\n%s", code, out)
	}
	names := func(args ...string) []string {
		out, code := runPlanrun(t, dir, append([]string{"run", "--dry-run", "--format", "json"}, args...)...)
		if code != 0 {
			t.Fatalf("planrun run --dry-run %v: exit %d\n%s", args, code, out)
		}
		var got []string
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			var req struct{ Name string }
			if err := json.Unmarshal([]byte(line), &req); err != nil || req.Name == "" {
				t.Fatalf("planrun run --dry-run --format json: line %q: %v", line, err)
			}
			got = append(got, req.Name)
		}
		return got
	}
	all := names(".")
	if len(all) < n {
		t.Errorf("the example plan has %d requests for %d shards", len(all), n)
	}
	seen := map[string]int{}
	for k := 1; k <= n; k++ {
		for _, name := range names("--shard", strconv.Itoa(k)+"/"+strconv.Itoa(n), ".") {
			seen[name]++
		}
	}
	for _, name := range all {
		if seen[name] != 1 {
			t.Errorf("request %s is in %d of the %d shards, want 1", name, seen[name], n)
		}
	}
	if len(seen) != len(all) {
		t.Errorf("the shards hold %d requests, the plan %d", len(seen), len(all))
	}
}
