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

// entry returns the effective entry name of mapping n, indexing each mapping once so
// that locating many problems stays linear.
func (l *loader) entry(n *yaml.Node, name string) (yamlsrc.Pair, bool) {
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
