package schema

import (
	"strconv"
	"strings"
)

// fragment returns the JSON pointer steps after '#' in an absolute keyword location such
// as "https://planrun.dev/schema/plan.schema.json#/definitions/job/additionalProperties".
func fragment(loc string) []string {
	i := strings.IndexByte(loc, '#')
	if i < 0 {
		return nil
	}
	return splitPointer(loc[i+1:])
}

// resolve walks a JSON value along ptr; it returns nil when a step does not exist.
func resolve(v any, ptr []string) any {
	out, _ := lookup(v, ptr)
	return out
}

// lookup walks a JSON value along ptr and reports whether every step existed.
func lookup(v any, ptr []string) (any, bool) {
	for _, step := range ptr {
		switch x := v.(type) {
		case map[string]any:
			next, ok := x[step]
			if !ok {
				return nil, false
			}
			v = next
		case []any:
			i, err := strconv.Atoi(step)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}
