package plan

import (
	"math"
	"slices"
	"strconv"
)

// uniqueStrings returns the strings of list v and reports each repeated entry at its own
// position.
func (l *loader) uniqueStrings(ptr []string, list []*string, what string) []string {
	var out []string
	first := map[string]int{}
	for i, x := range list {
		if x == nil {
			continue
		}
		s := *x
		p := append(slices.Clone(ptr), strconv.Itoa(i))
		if f, dup := first[s]; dup {
			l.check(p, false, "duplicate %s %q (also at line %d): it would expand to identical requests", what, s, l.line(ptr, strconv.Itoa(f)))
			continue
		}
		first[s] = i
		out = append(out, s)
	}
	return out
}

// line returns the line of the key (or list item) base/k.
func (l *loader) line(base []string, k string) int {
	at := l.locate(append(slices.Clone(base), k))
	kn := at.key
	if kn == nil {
		kn = at.value
	}
	if kn == nil {
		return 0
	}
	return kn.Line
}

// byPosition sorts keys of the mapping at base by where they are written.
func (l *loader) byPosition(base []string, keys []string) {
	pos := func(k string) (int, int) {
		kn := l.locate(append(slices.Clone(base), k)).key
		if kn == nil {
			return 0, 0
		}
		return kn.Line, kn.Column
	}
	slices.SortStableFunc(keys, func(a, b string) int {
		la, ca := pos(a)
		lb, cb := pos(b)
		if la != lb {
			return la - lb
		}
		return ca - cb
	})
}

// joinPtr is the key of a pointer in loader.skip.
func joinPtr(ptr []string) string {
	b := make([]byte, 0, 32)
	for i, s := range ptr {
		if i > 0 {
			b = append(b, 0)
		}
		b = append(b, s...)
	}
	return string(b)
}

// intValue returns v as an int when it is a whole number that fits.
func intValue(v any) (int, bool) {
	switch x := v.(type) {
	case int64:
		return int(x), true
	case uint64:
		if x <= math.MaxInt64 {
			return int(x), true
		}
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int(x), true
		}
	}
	return 0, false
}
