package yamlsrc

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// MaxDepth bounds how deeply lists and mappings nest, aliases expanded. A plan needs six
// levels (jobs, a job, its job block, output, ...); anything far deeper is hostile, and
// every later step (conversion, schema, locating problems) costs in proportion to it.
const MaxDepth = 64

// MaxNodes bounds the number of YAML nodes after expanding aliases, so an alias bomb
// ("billion laughs") is refused before it is expanded.
const MaxNodes = 1_000_000

// nodeCounter counts the nodes of a tree as if every alias were expanded, saturating
// just above MaxNodes, finds aliases that contain themselves, and the first node nested
// deeper than MaxDepth.
type nodeCounter struct {
	memo    map[*yaml.Node]sized
	active  map[*yaml.Node]bool
	culprit *yaml.Node // the innermost node whose expansion exceeds MaxNodes
	cycle   *yaml.Node // an alias that refers to a node containing it
	deep    *yaml.Node // the first node nested deeper than MaxDepth
	depth   int        // nesting of the node being counted
}

// count returns the expanded size of n, at most MaxNodes+1.
func (c *nodeCounter) count(n *yaml.Node) int {
	total, _ := c.walk(n)
	return total
}

// walk returns the expanded size of n (at most MaxNodes+1) and its height: how many
// levels of lists and mappings it holds, aliases expanded.
func (c *nodeCounter) walk(n *yaml.Node) (total, height int) {
	if n == nil {
		return 0, 0
	}
	// Only an anchored node can be reached twice (aliases name anchors), so only
	// anchored nodes are memoised and tracked as active: the common plan has no anchors
	// and its walk touches no map.
	anchored := n.Anchor != ""
	if anchored {
		if v, ok := c.memo[n]; ok {
			c.checkDepth(n, v.height)
			return v.total, v.height
		}
		if c.active[n] {
			return 0, 0 // reached again through an alias: a cycle, recorded by the caller
		}
	}
	level := 0
	if n.Kind == yaml.SequenceNode || n.Kind == yaml.MappingNode {
		level = 1
	}
	if c.depth+level > MaxDepth {
		c.checkDepth(n, level)
		return MaxNodes + 1, level // stop here: the plan is refused
	}
	c.depth += level
	if anchored {
		c.active[n] = true
	}
	total = 1
	if n.Kind == yaml.AliasNode {
		if c.active[n.Alias] && c.cycle == nil {
			c.cycle = n
		}
		if v, ok := c.memo[n.Alias]; ok {
			c.checkDepth(n, v.height) // name the alias that goes too deep, not its anchor
		}
		t, h := c.walk(n.Alias)
		total, height = total+t, h
	}
	for _, ch := range n.Content {
		if total > MaxNodes {
			break
		}
		t, h := c.walk(ch)
		total, height = total+t, max(height, h)
	}
	height += level
	if total > MaxNodes && c.culprit == nil {
		c.culprit = n
	}
	total = min(total, MaxNodes+1)
	c.depth -= level
	if anchored {
		delete(c.active, n)
		c.memo[n] = sized{total, height}
	}
	return total, height
}

// checkDepth records n as too deep when a subtree of the given height at n's depth goes
// past MaxDepth.
func (c *nodeCounter) checkDepth(n *yaml.Node, height int) {
	if c.depth+height > MaxDepth && c.deep == nil {
		c.deep = n
	}
}

// sized is the memo of one node: its expanded size and height.
type sized struct{ total, height int }

// SizeProblem is why CheckSize refuses a tree: the node to point at (nil: the start of the
// file) and a message for the user.
type SizeProblem struct {
	At      *yaml.Node
	Message string
}

// CheckSize refuses a tree that references itself, nests deeper than MaxDepth, or is
// larger than MaxNodes once aliases are expanded; it returns nil for a tree that is fine.
func CheckSize(root *yaml.Node) *SizeProblem {
	c := &nodeCounter{memo: map[*yaml.Node]sized{}, active: map[*yaml.Node]bool{}}
	n := c.count(root)
	switch {
	case c.deep != nil:
		return &SizeProblem{At: c.deep, Message: fmt.Sprintf(
			"lists and mappings nest more than %d levels deep here: a plan needs a handful, refusing it", MaxDepth)}
	case c.cycle != nil:
		return &SizeProblem{At: c.cycle, Message: fmt.Sprintf("alias *%s refers to a node that contains it", c.cycle.Value)}
	case n > MaxNodes:
		return &SizeProblem{At: c.culprit, Message: fmt.Sprintf(
			"plan has more than %d YAML nodes once aliases are expanded: refusing it (an alias bomb?)", MaxNodes)}
	}
	return nil
}
