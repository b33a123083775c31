package schema

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"

	_ "github.com/planrun/planrun/internal/testflag" // accepts -update
)

func mustNew(t *testing.T) *Validator {
	t.Helper()
	v, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return v
}

func TestSchemaHasIDAndDraft(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(JSON(), &doc); err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	if doc["$id"] != ID || !strings.HasPrefix(ID, "https://") {
		t.Errorf("$id = %v, want absolute %s", doc["$id"], ID)
	}
	if s, _ := doc["$schema"].(string); !strings.Contains(s, "json-schema.org/draft") {
		t.Errorf("$schema = %q, want an explicit draft", s)
	}
	mustNew(t)
}

func TestJSONReturnsCopy(t *testing.T) {
	a := JSON()
	a[0] = 'x'
	if JSON()[0] != '{' {
		t.Fatal("JSON() exposes the embedded bytes")
	}
}

// TestEveryPropertyHasDescription walks the whole schema: every entry of every
// "properties" map, and every items schema, must tell an editor user what it is.
func TestEveryPropertyHasDescription(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(JSON(), &doc); err != nil {
		t.Fatal(err)
	}
	count := 0
	var walk func(path string, node any)
	walk = func(path string, node any) {
		m, ok := node.(map[string]any)
		if !ok {
			return
		}
		if props, ok := m["properties"].(map[string]any); ok {
			for k, p := range props {
				count++
				pm, _ := p.(map[string]any)
				if d, _ := pm["description"].(string); len(d) < 10 {
					t.Errorf("%s/properties/%s has no useful description", path, k)
				}
				if pm["additionalProperties"] == nil && pm["type"] == "object" {
					t.Errorf("%s/properties/%s allows unknown keys", path, k)
				}
			}
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			walk(path+"/"+k, m[k])
		}
	}
	walk("#", doc)
	if count < 30 {
		t.Errorf("walked only %d properties", count)
	}
}

func TestValidateMessages(t *testing.T) {
	v := mustNew(t)
	base := func() map[string]any {
		return map[string]any{
			"version": 1, "name": "p",
			"jobs": []any{map[string]any{"name": "a", "prefix": "in/", "workflow": "w7476ff3564ee45b7b490d64bccaba6cc"}},
		}
	}
	job := func(d map[string]any) map[string]any { return d["jobs"].([]any)[0].(map[string]any) }
	tests := []struct {
		name   string
		modify func(d map[string]any)
		want   []Violation
	}{
		{"valid", func(map[string]any) {}, nil},
		{"unknown key with suggestion", func(d map[string]any) { job(d)["prefx"] = "x" },
			[]Violation{{[]string{"jobs", "0", "prefx"}, `unknown key "prefx" (did you mean "prefix"?)`, "additionalProperties"}}},
		{"two unknown keys each at its own position", func(d map[string]any) { d["zzz"] = 1; d["yyyyyy"] = 2 },
			[]Violation{
				{[]string{"yyyyyy"}, `unknown key "yyyyyy"`, "additionalProperties"},
				{[]string{"zzz"}, `unknown key "zzz"`, "additionalProperties"},
			}},
		{"missing keys", func(d map[string]any) { delete(d, "name"); delete(d, "version") },
			[]Violation{
				{[]string{}, `missing required key "version"`, "required"},
				{[]string{}, `missing required key "name"`, "required"},
			}},
		{"enum", func(d map[string]any) { job(d)["type"] = "flow" },
			[]Violation{{[]string{"jobs", "0", "type"}, "must be one of workflow, job", "enum"}}},
		{"workflow id", func(d map[string]any) { job(d)["workflow"] = "W123" },
			[]Violation{{[]string{"jobs", "0", "workflow"}, "must be a workflow id: w followed by 32 lowercase hex digits", "pattern"}}},
		{"type", func(d map[string]any) { job(d)["prefix"] = []any{"a"} },
			[]Violation{{[]string{"jobs", "0", "prefix"}, "must be a string, not a list", "type"}}},
		{"null", func(d map[string]any) { d["defaults"] = nil },
			[]Violation{{[]string{"defaults"}, "must be a mapping, but it is empty", "type"}}},
		{"float for integer", func(d map[string]any) { d["generation"] = 1.5 },
			[]Violation{{[]string{"generation"}, "must be an integer, not a number", "type"}}},
		{"minimum", func(d map[string]any) { d["generation"] = 0 },
			[]Violation{{[]string{"generation"}, "must be at least 1", "minimum"}}},
		{"name too long", func(d map[string]any) { d["name"] = strings.Repeat("a", 41) },
			[]Violation{{[]string{"name"}, "must be at most 40 characters (it has 41)", "maxLength"}}},
		{"empty jobs", func(d map[string]any) { d["jobs"] = []any{} },
			[]Violation{{[]string{"jobs"}, "must not be empty: list at least one entry", "minItems"}}},
		{"const", func(d map[string]any) { d["version"] = 2 },
			[]Violation{{[]string{"version"}, "must be 1", "const"}}},
		{"tag typo spelling accepted", func(d map[string]any) {
			job(d)["job"] = map[string]any{"tag": "VoiceSpearte", "template_id": "t01"}
		}, nil},
		{"job level", func(d map[string]any) {
			job(d)["job"] = map[string]any{"tag": "MediaInfo", "template_id": "t01", "job_level": 3}
		}, []Violation{{[]string{"jobs", "0", "job", "job_level"}, "must be at most 2", "maximum"}}},
		{"every", func(d map[string]any) {
			job(d)["window"] = map[string]any{"start": "2024-01-01", "end": "2024-02-01", "every": "1 day"}
		}, []Violation{{[]string{"jobs", "0", "window", "every"}, "must be a step such as 1d, 1w, 1mo, or a Go duration such as 30m, 6h, 1h30m", "pattern"}}},
		{"key with slash", func(d map[string]any) { d["a/b~c"] = 1 },
			[]Violation{{[]string{"a/b~c"}, `unknown key "a/b~c"`, "additionalProperties"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := base()
			tt.modify(d)
			got := v.Validate(d)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestGoodValuesPass(t *testing.T) {
	v := mustNew(t)
	for _, every := range []string{"1d", "2w", "1mo", "30m", "6h", "1h30m", "1.5h", "0d", "-1h"} {
		d := map[string]any{"version": 1, "name": "p", "jobs": []any{map[string]any{
			"name": "a", "prefix": "in/", "window": map[string]any{"start": "2024-01-01T00:00:00+08:00", "end": "2024-01-02 00:00:00", "every": every},
		}}}
		if got := v.Validate(d); got != nil {
			t.Errorf("every %q: %v", every, got)
		}
	}
	for _, region := range []string{"ap-beijing", "ap-shanghai-fsi", "na-siliconvalley", "eu-frankfurt", "ap-beijing-1"} {
		d := map[string]any{"version": 1, "name": "p", "defaults": map[string]any{"region": region}, "jobs": []any{map[string]any{"name": "a"}}}
		if got := v.Validate(d); got != nil {
			t.Errorf("region %q: %v", region, got)
		}
	}
}

func TestViolationString(t *testing.T) {
	v := Violation{Pointer: []string{"jobs", "0", "a/b"}, Message: "m"}
	if got := v.String(); got != "/jobs/0/a~1b: m" {
		t.Errorf("String() = %q", got)
	}
}

func TestClosest(t *testing.T) {
	c := []string{"prefix", "prefixes", "workflow", "workflows", "name"}
	for in, want := range map[string]string{"prefx": "prefix", "workflws": "workflows", "nam": "name", "x": "", "zzzzzz": ""} {
		if got := closest(in, c); got != want {
			t.Errorf("closest(%q) = %q, want %q", in, got, want)
		}
	}
}
