package schema

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// explain turns one leaf validation error into violations with human messages. It
// consults the failing keyword's schema and the instance, so messages do not depend on
// the validator's own wording.
func (v *Validator) explain(e *jsonschema.ValidationError, doc any) []Violation {
	ptr := splitPointer(e.InstanceLocation)
	inst, _ := lookup(doc, ptr)
	kwPath := fragment(e.AbsoluteKeywordLocation)
	keyword := ""
	if n := len(kwPath); n > 0 {
		keyword = kwPath[n-1]
	}
	var parent map[string]any
	if len(kwPath) > 0 {
		parent, _ = resolve(v.doc, kwPath[:len(kwPath)-1]).(map[string]any)
	}
	one := func(msg string) []Violation {
		return []Violation{{Pointer: ptr, Message: msg, Keyword: keyword}}
	}
	switch keyword {
	case "additionalProperties":
		return unknownKeys(ptr, inst, parent)
	case "required":
		return missingKeys(ptr, inst, parent)
	case "type":
		return one(typeMessage(parent["type"], inst))
	case "enum":
		return one("must be one of " + joinValues(parent["enum"]))
	case "const":
		return one("must be " + fmt.Sprint(parent["const"]))
	case "pattern":
		if m, ok := parent["patternErrorMessage"].(string); ok {
			return one(m)
		}
		return one(fmt.Sprintf("does not match %v", parent["pattern"]))
	case "minimum":
		return one(fmt.Sprintf("must be at least %v", parent["minimum"]))
	case "maximum":
		return one(fmt.Sprintf("must be at most %v", parent["maximum"]))
	case "minLength":
		if n, _ := parent["minLength"].(float64); n <= 1 {
			return one("must not be empty")
		}
		return one(fmt.Sprintf("must be at least %v characters", parent["minLength"]))
	case "maxLength":
		s, _ := inst.(string)
		return one(fmt.Sprintf("must be at most %v characters (it has %d)", parent["maxLength"], len([]rune(s))))
	case "minItems":
		if n, _ := parent["minItems"].(float64); n <= 1 {
			return one("must not be empty: list at least one entry")
		}
		return one(fmt.Sprintf("must have at least %v entries", parent["minItems"]))
	}
	return one(e.Message)
}

// unknownKeys reports each key of the object inst that the schema does not allow, at
// the key's own pointer, suggesting the closest allowed key.
func unknownKeys(ptr []string, inst any, parent map[string]any) []Violation {
	obj, _ := inst.(map[string]any)
	props, _ := parent["properties"].(map[string]any)
	var names []string
	for k := range obj {
		if _, ok := props[k]; !ok {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	allowed := make([]string, 0, len(props))
	for k := range props {
		allowed = append(allowed, k)
	}
	sort.Strings(allowed)
	out := make([]Violation, 0, len(names))
	for _, k := range names {
		msg := fmt.Sprintf("unknown key %q", k)
		if s := closest(k, allowed); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		p := append(append([]string{}, ptr...), k)
		out = append(out, Violation{Pointer: p, Message: msg, Keyword: "additionalProperties"})
	}
	return out
}

// missingKeys reports each required key missing from the object inst, at the object.
func missingKeys(ptr []string, inst any, parent map[string]any) []Violation {
	obj, _ := inst.(map[string]any)
	req, _ := parent["required"].([]any)
	var out []Violation
	for _, r := range req {
		k, _ := r.(string)
		if _, ok := obj[k]; !ok {
			out = append(out, Violation{Pointer: ptr, Message: fmt.Sprintf("missing required key %q", k), Keyword: "required"})
		}
	}
	return out
}

// typeMessage says which type was expected and which was found, in YAML words.
func typeMessage(want any, inst any) string {
	var names []string
	switch w := want.(type) {
	case string:
		names = append(names, typeName(w))
	case []any:
		for _, x := range w {
			s, _ := x.(string)
			names = append(names, typeName(s))
		}
	}
	got := instanceType(inst)
	if got == "null" {
		return "must be " + strings.Join(names, " or ") + ", but it is empty"
	}
	return "must be " + strings.Join(names, " or ") + ", not " + typeName(got)
}

// typeName names a JSON Schema type the way a YAML author thinks of it.
func typeName(t string) string {
	switch t {
	case "object":
		return "a mapping"
	case "array":
		return "a list"
	case "string":
		return "a string"
	case "integer":
		return "an integer"
	case "number":
		return "a number"
	case "boolean":
		return "true or false"
	case "null":
		return "empty"
	}
	return t
}

// instanceType returns the JSON Schema type of v, telling integers from other numbers.
func instanceType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case float64:
		if x == math.Trunc(x) && !math.IsInf(x, 0) {
			return "integer"
		}
		return "number"
	case float32:
		return instanceType(float64(x))
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return "integer"
	}
	return "number"
}

// joinValues renders an enum as "a, b, c".
func joinValues(v any) string {
	list, _ := v.([]any)
	parts := make([]string, len(list))
	for i, x := range list {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, ", ")
}
