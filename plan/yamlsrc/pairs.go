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

// smallMapping is the number of entries up to which Pairs finds a repeated key by
// scanning the entries found so far, not through a map: a plan's mappings are many (one
// or more per job) and small, and a map each was a tenth of what validate allocated.
const smallMapping = 16

// Pairs returns the effective entries of mapping node n in file order: its own keys first
// (the first of duplicated keys wins), then keys merged in with `<<: *anchor` that the
// mapping does not set itself. report, when not nil, receives each problem found.
func Pairs(n *yaml.Node, report func(at *yaml.Node, msg string)) []Pair {
	if report == nil {
		report = func(*yaml.Node, string) {}
	}
	out := make([]Pair, 0, len(n.Content)/2)
	var seen map[string]*yaml.Node // the first key of each name, made once out is no longer small
	first := func(name string) (*yaml.Node, bool) {
		if seen == nil && len(out) > smallMapping {
			seen = make(map[string]*yaml.Node, 2*len(out))
			for _, p := range out {
				seen[p.Name] = p.Key
			}
		}
		if seen != nil {
			k, ok := seen[name]
			return k, ok
		}
		for i := range out {
			if out[i].Name == name {
				return out[i].Key, true
			}
		}
		return nil, false
	}
	add := func(p Pair) {
		if seen != nil {
			seen[p.Name] = p.Key
		}
		out = append(out, p)
	}
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
		if f, dup := first(kk.Value); dup {
			report(k, fmt.Sprintf("duplicate key %q (first at line %d)", kk.Value, f.Line))
			continue
		}
		add(Pair{Name: kk.Value, Key: k, Value: v})
	}
	for _, m := range merges {
		for _, p := range Pairs(m.node, nil) {
			if _, dup := first(p.Name); !dup {
				if p.Via == nil {
					p.Via = m.via
				}
				add(p)
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
