package layout

import "strings"

// colSpec says how a table column gives way when the table is wider than the terminal.
type ColSpec struct {
	// Min is the narrowest the column's values are elided to (in the middle, with "…");
	// 0 keeps them whole (numbers, states, fixed words).
	Min int
	// Drop is the column's rank when whole columns must go: the lowest rank goes first;
	// 0 never goes.
	Drop int
}

// fitLayout is how a table is drawn in a width: the columns kept, in order, and the width
// of each (its values are elided to it).
type fitLayout struct {
	keep   []bool
	widths []int
	Width  int // the width fitted to; <= 0: none (--wide)
}

// layoutColumns fits columns of natural widths nat (the widest value of each, heads
// included) with specs into width columns, after indent columns and with two spaces
// between columns. Columns are first elided, widest first down to their min; when even
// that does not fit, the lowest-ranked droppable column goes and the fit starts again.
// width <= 0 keeps everything whole (--wide).
func layoutColumns(nat []int, specs []ColSpec, width, indent int) fitLayout {
	l := fitLayout{keep: make([]bool, len(nat)), widths: append([]int(nil), nat...), Width: width}
	for i := range l.keep {
		l.keep[i] = true
	}
	if width <= 0 {
		return l
	}
	spec := func(i int) ColSpec {
		if i < len(specs) {
			return specs[i]
		}
		return ColSpec{}
	}
	floor := func(i int) int {
		if m := spec(i).Min; m > 0 {
			return min(nat[i], m)
		}
		return nat[i]
	}
	need := func(w func(int) int) int {
		n, cols := indent, 0
		for i := range nat {
			if l.keep[i] {
				n += w(i)
				cols++
			}
		}
		return n + 2*max(cols-1, 0)
	}
	for need(floor) > width {
		low := -1
		for i := range nat {
			if d := spec(i).Drop; l.keep[i] && d > 0 && (low < 0 || d < spec(low).Drop) {
				low = i
			}
		}
		if low < 0 {
			break
		}
		l.keep[low] = false
	}
	if need(func(i int) int { return nat[i] }) <= width {
		return l
	}
	// The columns that may go are elided first, the least useful first, down to their
	// floor; then a common ceiling is lowered on the elidable columns until the table
	// fits, and the columns at the ceiling get back the columns left over, left to right.
	short := append([]int(nil), nat...)
	for {
		low := -1
		for i := range nat {
			// Only a long value is worth shortening this way (an id, a message), not a
			// word or two a little over its floor.
			long := nat[i] > 2*spec(i).Min
			if d := spec(i).Drop; l.keep[i] && d > 0 && spec(i).Min > 0 && long && short[i] > floor(i) && (low < 0 || d < spec(low).Drop) {
				low = i
			}
		}
		if low < 0 || need(func(i int) int { return short[i] }) <= width {
			break
		}
		short[low] = max(floor(low), short[low]-(need(func(i int) int { return short[i] })-width))
	}
	nat = short
	ceil := 0
	for i := range nat {
		ceil = max(ceil, nat[i])
	}
	at := func(c int) func(int) int {
		return func(i int) int { return max(floor(i), min(nat[i], c)) }
	}
	for ceil > 0 && need(at(ceil)) > width {
		ceil--
	}
	spare := width - need(at(ceil))
	for i := range nat {
		l.widths[i] = at(ceil)(i)
		if spare > 0 && l.keep[i] && spec(i).Min > 0 && nat[i] > l.widths[i] {
			l.widths[i]++
			spare--
		}
	}
	return l
}

// cellText is a value as the layout draws it in column i: elided in the middle to the
// column's width.
func (l *fitLayout) cellText(i int, s string) string {
	if l.Width <= 0 || i >= len(l.widths) {
		return s
	}
	return ElideMiddle(s, l.widths[i])
}

// render draws one row of cells (text and style) with the layout: left columns padded
// after, the others (numbers) before, the last one not padded, and the whole line cut to
// the width in case the fixed columns alone are wider.
func (l *fitLayout) render(b *strings.Builder, indent string, cells []Cell, left int, color bool) {
	var line strings.Builder
	line.WriteString(indent)
	last := -1
	for i := range cells {
		if i < len(l.keep) && l.keep[i] {
			last = i
		}
	}
	first := true
	for i, c := range cells {
		if i < len(l.keep) && !l.keep[i] {
			continue
		}
		if !first {
			line.WriteString("  ")
		}
		first = false
		text := l.cellText(i, c.Text)
		pad := 0
		if i < len(l.widths) {
			pad = max(l.widths[i]-TextWidth(text), 0)
		}
		if i >= left {
			line.WriteString(strings.Repeat(" ", pad))
		}
		line.WriteString(Paint(text, c.Style, color))
		if i < left && i != last {
			line.WriteString(strings.Repeat(" ", pad))
		}
	}
	s := line.String()
	if l.Width > 0 && !color && TextWidth(s) > l.Width {
		s = ElideEnd(s, l.Width)
	}
	b.WriteString(s)
	b.WriteByte('\n')
}
