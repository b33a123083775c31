package plan

import (
	"strconv"

	"github.com/planrun/planrun/plan/yamlsrc"
	"gopkg.in/yaml.v3"
)

// located is where a pointer leads in the node tree.
type located struct {
	key, value *yaml.Node // key is nil for list items and the root
	via        *yaml.Node // the first alias (or << alias) the walk went through, if any
}

// locate finds the key and value nodes at ptr, following aliases and merge keys. When a
// step does not exist it returns the nodes of the deepest step that does.
func (l *loader) locate(ptr []string) located {
	at := located{value: l.root}
	through := func(n *yaml.Node) {
		if at.via == nil && n != nil && n.Kind == yaml.AliasNode {
			at.via = n
		}
	}
	for _, step := range ptr {
		through(at.value)
		n := yamlsrc.Deref(at.value)
		if n == nil {
			return at
		}
		switch n.Kind {
		case yaml.MappingNode:
			p, found := l.entry(n, step)
			if !found {
				return at
			}
			through(p.Via)
			at.key, at.value = p.Key, p.Value
		case yaml.SequenceNode:
			i, err := strconv.Atoi(step)
			if err != nil || i < 0 || i >= len(n.Content) {
				return at
			}
			at.key, at.value = nil, n.Content[i]
		default:
			return at
		}
	}
	return at
}

// entry returns the effective entry name of mapping n. A small mapping is scanned (a
// job is read at a few keys); a larger one is indexed once, so that locating many problems
// stays linear.
func (l *loader) entry(n *yaml.Node, name string) (yamlsrc.Pair, bool) {
	if len(n.Content) <= 2*smallMapping {
		if p, found, sure := scanEntry(n, name); sure {
			return p, found
		}
	}
	idx, ok := l.index[n]
	if !ok {
		ps := yamlsrc.Pairs(n, nil)
		idx = make(map[string]yamlsrc.Pair, len(ps))
		for _, p := range ps {
			idx[p.Name] = p
		}
		if l.index == nil {
			l.index = map[*yaml.Node]map[string]yamlsrc.Pair{}
		}
		l.index[n] = idx
	}
	p, found := idx[name]
	return p, found
}

// smallMapping is the number of entries up to which entry scans a mapping.
const smallMapping = 16

// scanEntry looks name up among the keys written in mapping n, as yamlsrc.Pairs would
// find it: the first of repeated keys wins, and a key written in n wins over one merged
// in. sure is false when n has a merge key and does not write name itself: then only
// Pairs knows.
func scanEntry(n *yaml.Node, name string) (p yamlsrc.Pair, found, sure bool) {
	merges := false
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := yamlsrc.Deref(n.Content[i])
		switch {
		case k == nil || k.Kind != yaml.ScalarNode:
		case k.Tag == "!!merge":
			merges = true
		case k.Value == name:
			return yamlsrc.Pair{Name: name, Key: n.Content[i], Value: n.Content[i+1]}, true, true
		}
	}
	return yamlsrc.Pair{}, false, !merges
}
