package schema

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// TestQuickCompiles: the embedded schema uses only keywords the quick check knows, so a
// valid plan never reaches the full validator. A new keyword fails here: teach it to
// quick.fill and quick.ok (or accept that every plan takes the slow path).
func TestQuickCompiles(t *testing.T) {
	v := mustNew(t)
	if _, err := compileQuick(v.doc); err != nil {
		t.Fatalf("compileQuick: %v", err)
	}
}

func TestQuickRefusesUnknownKeywords(t *testing.T) {
	for _, doc := range []map[string]any{
		{"type": "object", "oneOf": []any{}},
		{"properties": map[string]any{"a": map[string]any{"format": "date-time"}}},
		{"items": []any{map[string]any{}}},
		{"additionalProperties": map[string]any{"type": "string"}},
		{"$ref": "https://example.com/other.json"},
		{"type": "number"},
		{"minimum": 0.5},
	} {
		if _, err := compileQuick(doc); err == nil {
			t.Errorf("compileQuick(%v) accepted it", doc)
		}
	}
}

// quickBase is a valid document with every kind of job and every key the schema knows.
func quickBase() map[string]any {
	return map[string]any{
		"version": int64(1), "name": "plan-1", "description": "d", "generation": int64(2),
		"defaults": map[string]any{"bucket": "examplebucket-1250000000", "region": "ap-beijing",
			"workflow": "w7476ff3564ee45b7b490d64bccaba6cc", "timezone": "Asia/Shanghai"},
		"jobs": []any{
			map[string]any{"name": "a", "description": "x", "type": "workflow", "bucket": "b-1", "region": "ap-shanghai-fsi",
				"timezone": "+08:00", "workflows": []any{"w7476ff3564ee45b7b490d64bccaba6cc"}, "prefixes": []any{"in/", "x/"},
				"window": map[string]any{"start": "2024-01-01T00:00:00+08:00", "end": "2024-01-02", "every": "1d"}},
			map[string]any{"name": "b", "workflow": "w0000000000000000000000000000000a", "prefix": "p/"},
			map[string]any{"name": "c", "manifest": "https://m"},
			map[string]any{"name": "d", "url_file": "https://u"},
			map[string]any{"name": "e", "object": "o"},
			map[string]any{"name": "f", "type": "job", "prefix": "raw/", "job": map[string]any{
				"tag": "Transcode", "template_id": "t0a", "queue_id": "p0b", "job_level": int64(2), "callback": "no",
				"user_data": "u", "output": map[string]any{"region": "ap-beijing", "bucket": "o-1", "object": "out/${InputName}"}}},
		},
	}
}

// quickValues replace each value of quickBase in turn.
var quickValues = []any{
	nil, true, false, "", "a", "A b", "ünïcödé", strings.Repeat("x", 40), strings.Repeat("é", 41), strings.Repeat("y", 1025),
	"w7476ff3564ee45b7b490d64bccaba6cc", "W7476FF3564EE45B7B490D64BCCABA6CC", "examplebucket-1250000000", "ap-beijing",
	"2024-01-01", "2024-01-01 00:00:00", "1h30m", "job", "workflow", "Transcode", "t0", "p0", "no", "https://x", "http://a b",
	int64(-1), int64(0), int64(1), int64(2), int64(3), uint64(1), uint64(1 << 63), int(1), 1.0, 1.5,
	[]any{}, []any{"a"}, []any{int64(1)}, []any{"w7476ff3564ee45b7b490d64bccaba6cc", ""}, map[string]any{}, map[string]any{"a": "b"},
	int32(1),
}

// TestQuickAgreesWithValidator replaces every value of a valid document with each of
// quickValues, deletes every key and adds an unknown one to every mapping, and checks
// that the quick check never accepts what the full validator rejects, and accepts every
// valid document whose numbers fit an int64 (the converter's).
func TestQuickAgreesWithValidator(t *testing.T) {
	v := mustNew(t)
	q, err := compileQuick(v.doc)
	if err != nil {
		t.Fatal(err)
	}
	checked, valid := 0, 0
	try := func(what string, doc map[string]any, sure bool) {
		checked++
		full := v.schema.Validate(doc) == nil
		fast := q.ok(doc)
		if full {
			valid++
		}
		switch {
		case fast && !full:
			t.Errorf("%s: quick accepts a document the validator rejects", what)
		case full && !fast && sure:
			t.Errorf("%s: quick rejects a valid document", what)
		}
	}
	try("base", quickBase(), true)
	for _, path := range quickPaths(quickBase(), nil) {
		for i, val := range quickValues {
			doc := quickBase()
			set(doc, path, val)
			_, isFloat := val.(float64)
			_, isInt32 := val.(int32)
			big := val == any(uint64(1<<63))
			try(fmt.Sprintf("%s = %#v (#%d)", strings.Join(path, "/"), val, i), doc, !isFloat && !isInt32 && !big)
		}
		if _, inMap := parentOf(quickBase(), path).(map[string]any); inMap {
			doc := quickBase()
			delete(parentOf(doc, path).(map[string]any), path[len(path)-1])
			try("delete "+strings.Join(path, "/"), doc, true)
		}
	}
	for _, path := range append(quickPaths(quickBase(), nil), nil) {
		doc := quickBase()
		if m, ok := get(doc, path).(map[string]any); ok {
			m["zz_unknown"] = "x"
			try("unknown key under "+strings.Join(path, "/"), doc, true)
		}
	}
	if checked < 1000 || valid < 100 {
		t.Errorf("checked %d documents, %d valid: the mutations miss the schema", checked, valid)
	}
}

// quickPaths lists the path of every value under v, sorted.
func quickPaths(v any, at []string) [][]string {
	var out [][]string
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := append(append([]string(nil), at...), k)
			out = append(out, p)
			out = append(out, quickPaths(x[k], p)...)
		}
	case []any:
		for i, it := range x {
			p := append(append([]string(nil), at...), fmt.Sprint(i))
			out = append(out, p)
			out = append(out, quickPaths(it, p)...)
		}
	}
	return out
}

func get(doc any, path []string) any { return resolve(doc, path) }

func parentOf(doc any, path []string) any { return resolve(doc, path[:len(path)-1]) }

func set(doc any, path []string, val any) {
	switch p := parentOf(doc, path).(type) {
	case map[string]any:
		p[path[len(path)-1]] = val
	case []any:
		var i int
		fmt.Sscan(path[len(path)-1], &i)
		p[i] = val
	}
}
