package schema

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"unicode/utf8"
)

// quick is one schema of plan.schema.json compiled for a fast yes/no answer on the common
// case, a valid document: the full validator builds a location string and a result map
// for every value it visits, which made it a third of `planrun validate` on a large plan.
//
// quick knows the subset of draft-07 that the file uses. When the file uses any other
// keyword, compileQuick refuses and every document goes through the full validator. ok
// never accepts a document the full validator rejects: on any doubt (a number that is not
// an int64 or uint64, a Go type the converter does not produce) it says no, and then the
// full validator runs and its violations are the ones reported, so messages and positions
// never depend on quick.
type quick struct {
	ref      *quick   // $ref, checked besides the other keywords (draft-07 ignores them; checking is stricter, never looser)
	types    []string // "type"
	props    map[string]*quick
	closed   bool // additionalProperties: false
	required []string
	items    *quick
	minItems int // -1 when absent, like the length bounds
	maxItems int
	minLen   int
	maxLen   int
	pattern  *regexp.Regexp
	enum     map[string]bool // string enums only
	hasConst bool
	constant int64 // integral const only
	min, max *int64
}

// ignored are the keywords that only annotate: they never make a value invalid.
var ignored = map[string]bool{
	"$schema": true, "title": true, "description": true, "examples": true, "default": true,
	"$comment": true, "patternErrorMessage": true, "definitions": true,
}

// compileQuick compiles the schema document root (as encoding/json decodes it) or returns
// an error naming the first thing it does not handle.
func compileQuick(root map[string]any) (*quick, error) {
	c := quickCompiler{root: root, refs: map[string]*quick{}}
	if id, ok := root["$id"]; ok && id != ID {
		return nil, fmt.Errorf("$id %v", id)
	}
	return c.compile(root, "#", true)
}

type quickCompiler struct {
	root map[string]any
	refs map[string]*quick // compiled $ref targets, made before they are filled so cycles end
}

func (c *quickCompiler) compile(m map[string]any, at string, isRoot bool) (*quick, error) {
	q := &quick{minItems: -1, maxItems: -1, minLen: -1, maxLen: -1}
	return q, c.fill(q, m, at, isRoot)
}

func (c *quickCompiler) fill(q *quick, m map[string]any, at string, isRoot bool) error {
	for k, v := range m {
		if ignored[k] || (isRoot && k == "$id") {
			continue
		}
		var err error
		switch k {
		case "$ref":
			q.ref, err = c.resolve(v)
		case "type":
			q.types, err = typeList(v)
		case "properties":
			props, ok := v.(map[string]any)
			if !ok {
				return fmt.Errorf("%s/properties is not an object", at)
			}
			q.props = make(map[string]*quick, len(props))
			for name, p := range props {
				pm, ok := p.(map[string]any)
				if !ok {
					return fmt.Errorf("%s/properties/%s is not an object", at, name)
				}
				if q.props[name], err = c.compile(pm, at+"/properties/"+name, false); err != nil {
					return err
				}
			}
		case "additionalProperties":
			b, ok := v.(bool)
			if !ok {
				return fmt.Errorf("%s/additionalProperties is not a boolean", at)
			}
			q.closed = !b
		case "required":
			q.required, err = stringList(v)
		case "items":
			im, ok := v.(map[string]any)
			if !ok {
				return fmt.Errorf("%s/items is not one schema", at)
			}
			q.items, err = c.compile(im, at+"/items", false)
		case "minItems":
			q.minItems, err = count(v)
		case "maxItems":
			q.maxItems, err = count(v)
		case "minLength":
			q.minLen, err = count(v)
		case "maxLength":
			q.maxLen, err = count(v)
		case "pattern":
			s, ok := v.(string)
			if !ok {
				return fmt.Errorf("%s/pattern is not a string", at)
			}
			q.pattern, err = regexp.Compile(s)
		case "enum":
			var list []string
			if list, err = stringList(v); err == nil {
				q.enum = make(map[string]bool, len(list))
				for _, s := range list {
					q.enum[s] = true
				}
			}
		case "const":
			q.hasConst = true
			q.constant, err = integer(v)
		case "minimum":
			var n int64
			n, err = integer(v)
			q.min = &n
		case "maximum":
			var n int64
			n, err = integer(v)
			q.max = &n
		default:
			return fmt.Errorf("%s/%s: keyword not handled", at, k)
		}
		if err != nil {
			return fmt.Errorf("%s/%s: %w", at, k, err)
		}
	}
	return nil
}

// resolve compiles the target of a local $ref such as "#/definitions/name".
func (c *quickCompiler) resolve(v any) (*quick, error) {
	ref, ok := v.(string)
	if !ok || !strings.HasPrefix(ref, "#/") {
		return nil, fmt.Errorf("not a local reference: %v", v)
	}
	if q, ok := c.refs[ref]; ok {
		return q, nil
	}
	target, ok := resolve(c.root, splitPointer(ref[1:])).(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s does not resolve to a schema", ref)
	}
	q := &quick{minItems: -1, maxItems: -1, minLen: -1, maxLen: -1}
	c.refs[ref] = q
	return q, c.fill(q, target, ref, false)
}

func typeList(v any) ([]string, error) {
	if s, ok := v.(string); ok {
		v = []any{s}
	}
	list, err := stringList(v)
	if err != nil {
		return nil, err
	}
	for _, t := range list {
		switch t {
		case "string", "object", "array", "boolean", "null", "integer":
		default:
			return nil, fmt.Errorf("type %q not handled", t)
		}
	}
	return list, nil
}

func stringList(v any) ([]string, error) {
	items, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("not a list")
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		s, ok := it.(string)
		if !ok {
			return nil, fmt.Errorf("%v is not a string", it)
		}
		out = append(out, s)
	}
	return out, nil
}

func count(v any) (int, error) {
	n, err := integer(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("not a count: %v", v)
	}
	return int(n), nil
}

// integer reads an integral number of the schema document (a float64 from encoding/json).
func integer(v any) (int64, error) {
	f, ok := v.(float64)
	if !ok || f != float64(int64(f)) || f > 1<<53 || f < -(1<<53) {
		return 0, fmt.Errorf("not an integer: %v", v)
	}
	return int64(f), nil
}

// ok reports whether v is valid for q for certain; false means invalid or not sure.
func (q *quick) ok(v any) bool {
	if q.ref != nil && !q.ref.ok(v) {
		return false
	}
	if len(q.types) > 0 && !q.typeOK(v) {
		return false
	}
	switch x := v.(type) {
	case string:
		if q.enum != nil && !q.enum[x] {
			return false
		}
		if q.minLen >= 0 || q.maxLen >= 0 {
			n := utf8.RuneCountInString(x)
			if n < q.minLen || (q.maxLen >= 0 && n > q.maxLen) {
				return false
			}
		}
		if q.pattern != nil && !q.pattern.MatchString(x) {
			return false
		}
		return !q.hasConst
	case int:
		return q.intOK(int64(x)) && q.enum == nil
	case int64:
		return q.intOK(x) && q.enum == nil
	case uint64:
		if x > math.MaxInt64 {
			return false
		}
		return q.intOK(int64(x)) && q.enum == nil
	case map[string]any:
		for _, k := range q.required {
			if _, ok := x[k]; !ok {
				return false
			}
		}
		for k, val := range x {
			p, ok := q.props[k]
			if !ok {
				if q.closed {
					return false
				}
				continue
			}
			if !p.ok(val) {
				return false
			}
		}
		return q.enum == nil && !q.hasConst
	case []any:
		if len(x) < q.minItems || (q.maxItems >= 0 && len(x) > q.maxItems) {
			return false
		}
		if q.items != nil {
			for _, it := range x {
				if !q.items.ok(it) {
					return false
				}
			}
		}
		return q.enum == nil && !q.hasConst
	case bool, nil:
		return q.enum == nil && !q.hasConst
	}
	return false // float64 and anything else: let the full validator judge
}

func (q *quick) intOK(x int64) bool {
	if q.hasConst && x != q.constant {
		return false
	}
	return (q.min == nil || x >= *q.min) && (q.max == nil || x <= *q.max)
}

func (q *quick) typeOK(v any) bool {
	for _, t := range q.types {
		switch v.(type) {
		case string:
			if t == "string" {
				return true
			}
		case map[string]any:
			if t == "object" {
				return true
			}
		case []any:
			if t == "array" {
				return true
			}
		case bool:
			if t == "boolean" {
				return true
			}
		case nil:
			if t == "null" {
				return true
			}
		case int, int64, uint64:
			if t == "integer" {
				return true
			}
		}
	}
	return false
}
