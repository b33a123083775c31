package yamlsrc

import (
	"math"
	"slices"
	"strconv"

	"gopkg.in/yaml.v3"
)

// Converter turns a YAML node tree into a JSON-compatible value: map[string]any, []any,
// string, int64/uint64/float64, bool and nil. Timestamps stay strings as written.
type Converter struct {
	// Report receives each problem found, at the node and the path of keys to it.
	Report func(at *yaml.Node, ptr []string, msg string)
	// Check, when set, returns a problem with a scalar or collection n found under key, or "".
	Check func(n *yaml.Node, key string) string
	path  []string // where the walk is; copied only for a problem
}

// Value converts n, reached at the current path. The tree must have passed CheckSize (no
// cycles, bounded size and depth).
func (c *Converter) Value(n *yaml.Node) any {
	n = Deref(n)
	if n == nil {
		return nil
	}
	if n.Kind != yaml.DocumentNode {
		key := ""
		if len(c.path) > 0 {
			key = c.path[len(c.path)-1]
		}
		if c.Check != nil {
			if msg := c.Check(n, key); msg != "" {
				c.Report(n, slices.Clone(c.path), msg)
			}
		}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return c.Value(n.Content[0])
	case yaml.SequenceNode:
		out := make([]any, len(n.Content))
		for i, ch := range n.Content {
			c.path = append(c.path, strconv.Itoa(i))
			out[i] = c.Value(ch)
			c.path = c.path[:len(c.path)-1]
		}
		return out
	case yaml.MappingNode:
		ps := Pairs(n, func(at *yaml.Node, msg string) {
			k := Deref(at)
			ptr := slices.Clone(c.path)
			if k.Kind == yaml.ScalarNode {
				ptr = append(ptr, k.Value)
			}
			c.Report(at, ptr, msg)
		})
		out := make(map[string]any, len(ps))
		for _, p := range ps {
			c.path = append(c.path, p.Name)
			out[p.Name] = c.Value(p.Value)
			c.path = c.path[:len(c.path)-1]
		}
		return out
	case yaml.ScalarNode:
		return scalar(n)
	}
	return nil
}

// scalar converts a scalar node by its resolved tag.
func scalar(n *yaml.Node) any {
	switch n.Tag {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if n.Decode(&b) == nil {
			return b
		}
	case "!!int":
		var i int64
		if n.Decode(&i) == nil {
			return i
		}
		var u uint64
		if n.Decode(&u) == nil {
			return u
		}
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return f
		}
	case "!!float":
		var f float64
		if n.Decode(&f) == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			return f
		}
	}
	return n.Value
}
