package plan

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// nodeCounter counts the nodes of a tree as if every alias were expanded, saturating
// just above maxNodes, and finds aliases that contain themselves.
type nodeCounter struct {
	memo    map[*yaml.Node]int
	active  map[*yaml.Node]bool
	culprit *yaml.Node // the innermost node whose expansion exceeds maxNodes
	cycle   *yaml.Node // an alias that refers to a node containing it
}

// count returns the expanded size of n, at most maxNodes+1.
func (c *nodeCounter) count(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	if v, ok := c.memo[n]; ok {
		return v
	}
	if c.active[n] {
		return 0 // reached again through an alias: a cycle, recorded by the caller
	}
	c.active[n] = true
	total := 1
	if n.Kind == yaml.AliasNode {
		if c.active[n.Alias] && c.cycle == nil {
			c.cycle = n
		}
		total += c.count(n.Alias)
	}
	for _, ch := range n.Content {
		if total > maxNodes {
			break
		}
		total += c.count(ch)
	}
	if total > maxNodes && c.culprit == nil {
		c.culprit = n
	}
	total = min(total, maxNodes+1)
	delete(c.active, n)
	c.memo[n] = total
	return total
}

// checkSize refuses a tree that references itself or is too large once aliases are
// expanded.
func checkSize(file string, root *yaml.Node) Problems {
	c := &nodeCounter{memo: map[*yaml.Node]int{}, active: map[*yaml.Node]bool{}}
	n := c.count(root)
	switch {
	case c.cycle != nil:
		return Problems{{File: file, Line: c.cycle.Line, Col: c.cycle.Column,
			Message: fmt.Sprintf("alias *%s refers to a node that contains it", c.cycle.Value)}}
	case n > maxNodes:
		p := Problem{File: file, Line: 1, Col: 1, Message: fmt.Sprintf(
			"plan has more than %d YAML nodes once aliases are expanded: refusing it (an alias bomb?)", maxNodes)}
		if c.culprit != nil {
			p.Line, p.Col = c.culprit.Line, c.culprit.Column
		}
		return Problems{p}
	}
	return nil
}
