package yamlsrc

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// Deref follows aliases to the node they stand for.
func Deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// Pair is one effective key/value of a mapping, after merge keys.
type Pair struct {
	Name       string
	Key, Value *yaml.Node
	Via        *yaml.Node // for a merged key: the alias in the << entry that brought it in
}

// Pairs returns the effective entries of mapping node n in file order: its own keys first
// (the first of duplicated keys wins), then keys merged in with `<<: *anchor` that the
// mapping does not set itself. report, when not nil, receives each problem found.
func Pairs(n *yaml.Node, report func(at *yaml.Node, msg string)) []Pair {
	if report == nil {
		report = func(*yaml.Node, string) {}
	}
	out := make([]Pair, 0, len(n.Content)/2)
	seen := make(map[string]*yaml.Node, len(n.Content)/2)
	var merges []mergeSource
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		kk := Deref(k)
		if kk == nil || kk.Kind != yaml.ScalarNode {
			report(k, "a key must be a plain string, not a list or mapping")
			continue
		}
		if kk.Tag == "!!merge" {
			merges = append(merges, mergeSources(k, v, report)...)
			continue
		}
		if first, dup := seen[kk.Value]; dup {
			report(k, fmt.Sprintf("duplicate key %q (first at line %d)", kk.Value, first.Line))
			continue
		}
		seen[kk.Value] = k
		out = append(out, Pair{Name: kk.Value, Key: k, Value: v})
	}
	for _, m := range merges {
		for _, p := range Pairs(m.node, nil) {
			if _, dup := seen[p.Name]; !dup {
				seen[p.Name] = p.Key
				if p.Via == nil {
					p.Via = m.via
				}
				out = append(out, p)
			}
		}
	}
	return out
}

// mergeSource is one mapping merged in by a << key, and the alias that names it.
type mergeSource struct {
	node, via *yaml.Node
}

// mergeSources returns the mappings a `<<` key merges in: one mapping or a list of them.
func mergeSources(k, v *yaml.Node, report func(*yaml.Node, string)) []mergeSource {
	const msg = "merge key << needs a mapping or a list of mappings, e.g. <<: *common"
	src := func(n *yaml.Node) (mergeSource, bool) {
		ms := mergeSource{node: Deref(n)}
		if n.Kind == yaml.AliasNode {
			ms.via = n
		}
		return ms, ms.node != nil && ms.node.Kind == yaml.MappingNode
	}
	if ms, ok := src(v); ok {
		return []mergeSource{ms}
	}
	if d := Deref(v); d != nil && d.Kind == yaml.SequenceNode {
		var out []mergeSource
		for _, c := range d.Content {
			ms, ok := src(c)
			if !ok {
				report(k, msg)
				return nil
			}
			out = append(out, ms)
		}
		return out
	}
	report(k, msg)
	return nil
}
