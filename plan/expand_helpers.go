package plan

import "math"

// clone returns a deep copy of n (nil for nil), in one allocation.
func (n *Node) clone() *Node {
	if n == nil {
		return nil
	}
	c := &struct {
		node  Node
		level int
		out   Output
	}{node: *n}
	if n.JobLevel != nil {
		c.level = *n.JobLevel
		c.node.JobLevel = &c.level
	}
	if n.Output != nil {
		c.out = *n.Output
		c.node.Output = &c.out
	}
	return &c.node
}

// occurrences returns, for each element, how many earlier elements equal it.
func occurrences(s []string) []int {
	seen := make(map[string]int, len(s))
	out := make([]int, len(s))
	for i, v := range s {
		out[i] = seen[v]
		seen[v]++
	}
	return out
}

// totals returns, for each element, how many elements (itself included) equal it.
func totals(s []string) []int {
	count := make(map[string]int, len(s))
	for _, v := range s {
		count[v]++
	}
	out := make([]int, len(s))
	for i, v := range s {
		out[i] = count[v]
	}
	return out
}

// satAdd returns a+b for non-negative a and b, saturating at math.MaxInt.
func satAdd(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}

// satMul returns a*b for non-negative a and b, saturating at math.MaxInt.
func satMul(a, b int) int {
	if a != 0 && b > math.MaxInt/a {
		return math.MaxInt
	}
	return a * b
}
