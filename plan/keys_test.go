package plan

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/planrun/planrun/schema"
)

// schemaLeaves returns the path of every leaf property of the plan schema ("jobs.*.window.start"),
// following $ref and list items.
func schemaLeaves(t *testing.T) []string {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(schema.JSON(), &doc); err != nil {
		t.Fatal(err)
	}
	defs, _ := doc["definitions"].(map[string]any)
	var out []string
	var walk func(path string, s map[string]any)
	walk = func(path string, s map[string]any) {
		if ref, ok := s["$ref"].(string); ok {
			walk(path, defs[strings.TrimPrefix(ref, "#/definitions/")].(map[string]any))
			return
		}
		if items, ok := s["items"].(map[string]any); ok {
			if ref, _ := items["$ref"].(string); ref != "" {
				items = defs[strings.TrimPrefix(ref, "#/definitions/")].(map[string]any)
			}
			if items["properties"] != nil {
				walk(path+".*", items)
				return
			}
		}
		props, ok := s["properties"].(map[string]any)
		if !ok {
			out = append(out, strings.TrimPrefix(path, "."))
			return
		}
		for k, v := range props {
			walk(path+"."+k, v.(map[string]any))
		}
	}
	walk("", doc)
	slices.Sort(out)
	return out
}

// basePlans are two plans that set every key of the schema between them: a windowed
// workflow job and a node job.
const baseWorkflowPlan = `
version: 1
name: keys
description: d
generation: 1
defaults:
  bucket: examplebucket-1250000000
  region: ap-beijing
  workflow: w7476ff3564ee45b7b490d64bccaba6cc
  timezone: Asia/Shanghai
jobs:
  - name: wf
    description: d
    type: workflow
    bucket: examplebucket-1250000000
    region: ap-beijing
    timezone: Asia/Shanghai
    workflow: w7476ff3564ee45b7b490d64bccaba6cc
    prefix: input/
    window: {start: "2024-01-01", end: "2024-01-03", every: 1d}
`

const baseNodePlan = `
version: 1
name: keys
generation: 1
defaults: {bucket: examplebucket-1250000000, region: ap-beijing}
jobs:
  - name: node
    type: job
    object: input/a.mp4
    job:
      tag: Transcode
      template_id: t1460606b9752148c4ab182f55163ba7cd
      queue_id: p893bcda225bf4945a378da6662e81a89
      job_level: 1
      callback: https://hooks.example.com/ci
      user_data: u
      output: {region: ap-beijing, bucket: outbucket-1250000000, object: out/a.mp4}
`

// keyChanges says, for every leaf key of the schema, which base plan it is changed in and
// to what; or why it does not reach a request (reason instead of value).
var keyChanges = map[string]struct {
	node   bool   // change it in the node plan
	some   bool   // only some requests change (the others are the same requests as before)
	value  any    // the new value; nil: delete the key
	reason string // set when the key reaches no request body
}{
	"version":                  {reason: "always 1"},
	"name":                     {value: "keys2"},
	"description":              {reason: "free text, never sent"},
	"generation":               {value: 2},
	"defaults.bucket":          {value: "otherbucket-1250000000", node: true},
	"defaults.region":          {value: "ap-shanghai", node: true},
	"defaults.workflow":        {reason: "the job's own workflow wins; defaults.workflow is covered through jobs.*.workflow"},
	"defaults.timezone":        {reason: "the job's own timezone wins; covered through jobs.*.timezone"},
	"jobs.*.name":              {value: "wf2"},
	"jobs.*.description":       {reason: "free text, never sent"},
	"jobs.*.type":              {reason: "covered by the node plan as a whole: a type cannot change alone"},
	"jobs.*.bucket":            {value: "otherbucket-1250000000"},
	"jobs.*.region":            {value: "ap-shanghai"},
	"jobs.*.timezone":          {value: "Asia/Tokyo"},
	"jobs.*.workflow":          {value: "w0000000000000000000000000000000a"},
	"jobs.*.workflows":         {value: []any{"w0000000000000000000000000000000a"}},
	"jobs.*.prefix":            {value: "input2/"},
	"jobs.*.prefixes":          {value: []any{"input2/"}},
	"jobs.*.manifest":          {value: "https://x/m.json", node: true},
	"jobs.*.url_file":          {value: "https://x/u.txt", node: true},
	"jobs.*.object":            {value: "input/b.mp4", node: true},
	"jobs.*.window.start":      {value: "2024-01-01T01:00:00"},
	"jobs.*.window.end":        {value: "2024-01-02T12:00:00", some: true},
	"jobs.*.window.every":      {value: "12h"},
	"jobs.*.job.tag":           {value: "Snapshot", node: true},
	"jobs.*.job.template_id":   {value: "t0", node: true},
	"jobs.*.job.queue_id":      {value: "p0", node: true},
	"jobs.*.job.job_level":     {value: 2, node: true},
	"jobs.*.job.callback":      {value: "no", node: true},
	"jobs.*.job.user_data":     {value: "v", node: true},
	"jobs.*.job.output.region": {value: "ap-shanghai", node: true},
	"jobs.*.job.output.bucket": {value: "o-1250000000", node: true},
	"jobs.*.job.output.object": {value: "out/b.mp4", node: true},
}

// setKey sets (or deletes, for nil) the key at path in doc; "*" is job 0. Input keys
// replace the job's input, workflow keys its workflows.
func setKey(doc map[string]any, path string, v any) {
	steps := strings.Split(path, ".")
	cur := doc
	for i, s := range steps[:len(steps)-1] {
		if s == "*" {
			continue
		}
		next := cur[s]
		if l, ok := next.([]any); ok && i+1 < len(steps) && steps[i+1] == "*" {
			next = l[0]
		}
		cur = next.(map[string]any)
	}
	last := steps[len(steps)-1]
	if slices.Contains(inputKeys, last) {
		for _, k := range inputKeys {
			delete(cur, k)
		}
	}
	if last == "workflow" || last == "workflows" {
		delete(cur, "workflow")
		delete(cur, "workflows")
	}
	cur[last] = v
}

func namesOf(t *testing.T, doc map[string]any) []string {
	t.Helper()
	data, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse("keys.yaml", data)
	if err != nil {
		t.Fatalf("plan does not load:\n%s\n%v", data, err)
	}
	var out []string
	for r := range p.Requests() {
		out = append(out, r.Name)
	}
	return out
}

func TestEveryPlanKeyChangesNames(t *testing.T) {
	// Walk the schema: every key that reaches a request body (or its name) must change the
	// names of the requests it reaches, or a rerun would skip the changed requests as done.
	// A key added to the schema fails here until it is given a change or a reason.
	for _, leaf := range schemaLeaves(t) {
		c, ok := keyChanges[leaf]
		if !ok {
			t.Errorf("schema key %s: add it to keyChanges (a new value, or why it never reaches a request)", leaf)
			continue
		}
		if c.reason != "" {
			continue
		}
		base := baseWorkflowPlan
		if c.node {
			base = baseNodePlan
		}
		var before, after map[string]any
		if err := yaml.Unmarshal([]byte(base), &before); err != nil {
			t.Fatal(err)
		}
		if err := yaml.Unmarshal([]byte(base), &after); err != nil {
			t.Fatal(err)
		}
		setKey(after, leaf, c.value)
		old := map[string]bool{}
		for _, n := range namesOf(t, before) {
			old[n] = true
		}
		kept, names := 0, namesOf(t, after)
		for _, n := range names {
			if old[n] {
				kept++
				if !c.some {
					t.Errorf("changing %s to %v keeps the name %s", leaf, c.value, n)
				}
			}
		}
		if c.some && kept == len(names) {
			t.Errorf("changing %s to %v changes no name", leaf, c.value)
		}
	}
	for k := range keyChanges {
		if !slices.Contains(schemaLeaves(t), k) {
			t.Errorf("keyChanges names %s, which the schema does not have", k)
		}
	}
}
