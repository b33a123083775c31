package plan

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/planrun/planrun/schema"
)

func TestDocMatchesSchema(t *testing.T) {
	// Every mapping of the schema is a doc struct whose key tags are exactly the schema's
	// properties: a key added to one and not the other fails here.
	var doc map[string]any
	if err := json.Unmarshal(schema.JSON(), &doc); err != nil {
		t.Fatal(err)
	}
	defs := doc["definitions"].(map[string]any)
	resolve := func(s map[string]any) map[string]any {
		if ref, ok := s["$ref"].(string); ok {
			return defs[strings.TrimPrefix(ref, "#/definitions/")].(map[string]any)
		}
		return s
	}
	structs := 0
	var walk func(path string, s map[string]any, typ reflect.Type)
	walk = func(path string, s map[string]any, typ reflect.Type) {
		s = resolve(s)
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
			typ = typ.Elem()
		}
		if items, ok := s["items"].(map[string]any); ok {
			s = resolve(items)
		}
		props, ok := s["properties"].(map[string]any)
		if !ok {
			if typ.Kind() == reflect.Struct {
				t.Errorf("%s: the schema has no properties, the doc has struct %s", path, typ)
			}
			return
		}
		if typ.Kind() != reflect.Struct {
			t.Errorf("%s: the schema has properties, the doc has %s", path, typ)
			return
		}
		structs++
		var want, got []string
		for k := range props {
			want = append(want, k)
		}
		fields := map[string]reflect.Type{}
		for i := range typ.NumField() {
			if k := typ.Field(i).Tag.Get("key"); k != "" {
				got = append(got, k)
				fields[k] = typ.Field(i).Type
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(want, got) {
			t.Errorf("%s: schema properties %v, %s keys %v", path, want, typ.Name(), got)
		}
		for k, sub := range props {
			if ft, ok := fields[k]; ok {
				walk(path+"."+k, sub.(map[string]any), ft)
			}
		}
	}
	walk("plan", doc, reflect.TypeFor[planDoc]())
	if structs != 6 {
		t.Errorf("walked %d mappings, want 6 (plan, defaults, job, window, node, output)", structs)
	}
}

func TestDecodeDocKeepsWrongTypesApart(t *testing.T) {
	d := decodeDoc(map[string]any{
		"name": "p", "generation": "two",
		"jobs": []any{"not a mapping", map[string]any{
			"name": "j", "timezone": int64(3), "prefixes": []any{"a/", int64(1), "b/"},
			"job": map[string]any{"job_level": int64(2), "output": []any{}},
		}},
	})
	if d.Name != "p" || d.Generation != nil || !d.Keys.has("generation") {
		t.Errorf("plan: %+v", d)
	}
	if len(d.Jobs) != 2 || d.Jobs[0] != nil {
		t.Fatalf("jobs: %+v", d.Jobs)
	}
	j := d.Jobs[1]
	if j.Timezone != "" || !j.Keys.has("timezone") || j.Keys.has("bucket") {
		t.Errorf("job timezone %q, keys %v", j.Timezone, j.Keys)
	}
	if len(j.Prefixes) != 3 || *j.Prefixes[0] != "a/" || j.Prefixes[1] != nil || *j.Prefixes[2] != "b/" {
		t.Errorf("prefixes %v", j.Prefixes)
	}
	if j.Job == nil || j.Job.JobLevel == nil || *j.Job.JobLevel != 2 || j.Job.Output != nil || !j.Job.Keys.has("output") {
		t.Errorf("node %+v", j.Job)
	}
}
