package ciapi

import (
	"math"
	"strconv"
	"strings"
	"unsafe"
)

// xdoc is a small XML document read by parseSimpleXML: its elements are nodes[0] (the
// root) and the nodes it links to. The nodes hold no pointers (offsets into s, indices
// into nodes and texts), so that a parse allocates one slab that the garbage collector
// does not scan and writes it without write barriers.
type xdoc struct {
	s     string
	nodes []xnode
	texts []string // texts with entities, decoded
	// The first texts and nodes, in the document's own allocation (a full create answer has
	// 46 elements); the nodes last, so that the collector does not scan them.
	textBuf [4]string
	nodeBuf [48]xnode
}

// xnode is an element of an xdoc.
type xnode struct {
	name0, name1 int32 // the name: s[name0:name1]
	// The character data, entities decoded (empty when there are children): s[text0:text1],
	// or texts[-text0-1] when text0 < 0.
	text0, text1 int32
	first, next  int32 // first child and next sibling, indices in nodes; 0: none
}

// name returns the name of element i.
func (d *xdoc) name(i int32) string { n := &d.nodes[i]; return d.s[n.name0:n.name1] }

// text returns the character data of element i (empty when it has children).
func (d *xdoc) text(i int32) string { n := &d.nodes[i]; return d.str(n.text0, n.text1) }

// str returns the text that t0 and t1 stand for (see xnode).
func (d *xdoc) str(t0, t1 int32) string {
	if t0 < 0 {
		return d.texts[-t0-1]
	}
	return d.s[t0:t1]
}

// first returns the first child of element i, 0 when none.
func (d *xdoc) first(i int32) int32 { return d.nodes[i].first }

// next returns the next sibling of element i, 0 when none.
func (d *xdoc) next(i int32) int32 { return d.nodes[i].next }

// hasChildren reports whether element i holds child elements.
func (d *xdoc) hasChildren(i int32) bool { return d.nodes[i].first != 0 }

// xmlHeader is the only XML declaration parseSimpleXML accepts.
const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>`

// parseSimpleXML reads a document of the simple shape the service answers with: an
// optional standard declaration, then elements without attributes or namespaces, each
// holding either text or child elements, ASCII only, with the five predefined entities.
// It returns ok=false for anything else (comments, CDATA, character references,
// attributes, mixed content, non-ASCII or control characters...), and the caller then
// decodes with encoding/xml: this is only a fast path, never a second opinion.
//
// It copies b once: names and texts are substrings of that copy, and the nodes come
// from one slab, so a create answer costs a handful of allocations.
func parseSimpleXML(b []byte) (root *xdoc, ok bool) {
	return parseSimpleXMLString(string(b))
}

// parseSimpleXMLShared is parseSimpleXML without the copy: the names and texts of the
// nodes are substrings of b itself, so b must never change while they are in use (the
// client's own answer bodies, read into a buffer of their own and never written again).
func parseSimpleXMLShared(b []byte) (root *xdoc, ok bool) {
	return parseSimpleXMLString(unsafe.String(unsafe.SliceData(b), len(b)))
}

// parseSimpleXMLString is parseSimpleXML of s.
func parseSimpleXMLString(s string) (root *xdoc, ok bool) {
	if len(s) > math.MaxInt32 {
		return nil, false
	}
	d := &xdoc{s: s}
	d.texts = d.textBuf[:0]
	// Every element has at least one '<'; most have two.
	if n := strings.Count(s, "<")/2 + 1; n > len(d.nodeBuf) {
		d.nodes = make([]xnode, 0, n)
	} else {
		d.nodes = d.nodeBuf[:0]
	}
	p := xparser{d: d}
	p.space()
	if p.has("<?") {
		if !p.has(xmlHeader) {
			return nil, false
		}
		p.i += len(xmlHeader)
		p.space()
	}
	if _, ok = p.element(); !ok {
		return nil, false
	}
	p.space()
	if p.i != len(s) {
		return nil, false
	}
	return p.d, true
}

// xparser is the cursor of parseSimpleXML.
type xparser struct {
	d     *xdoc
	i     int
	depth int
}

// maxDepth bounds the nesting parseSimpleXML follows (answers are 4 deep).
const maxDepth = 8

// has reports whether the input continues with s.
func (p *xparser) has(s string) bool {
	return len(p.d.s)-p.i >= len(s) && p.d.s[p.i:p.i+len(s)] == s
}

// space skips XML white space.
func (p *xparser) space() {
	s := p.d.s
	for p.i < len(s) && (s[p.i] == ' ' || s[p.i] == '\t' || s[p.i] == '\n') {
		p.i++
	}
}

// name reads an element name: [A-Za-z][A-Za-z0-9_]*, and returns where it ends.
func (p *xparser) name() (end int, ok bool) {
	s, start := p.d.s, p.i
	for p.i < len(s) {
		c := s[p.i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || p.i > start && (c >= '0' && c <= '9' || c == '_') {
			p.i++
			continue
		}
		break
	}
	return p.i, p.i > start
}

// blank reports whether the text t0, t1 (see xnode) is only white space.
func (p *xparser) blank(t0, t1 int32) bool {
	return strings.Trim(p.d.str(t0, t1), " \t\n") == ""
}

// element reads one element starting at '<' and returns its index.
func (p *xparser) element() (int32, bool) {
	if p.depth++; p.depth > maxDepth || !p.has("<") {
		return 0, false
	}
	defer func() { p.depth-- }()
	p.i++
	start := p.i
	end, ok := p.name()
	if !ok {
		return 0, false
	}
	d := p.d
	n := int32(len(d.nodes))
	d.nodes = append(d.nodes, xnode{name0: int32(start), name1: int32(end)})
	if p.has("/>") {
		p.i += 2
		return n, true
	}
	if !p.has(">") {
		return 0, false
	}
	p.i++
	t0, t1, ok := p.text()
	if !ok {
		return 0, false
	}
	var last int32
	for !p.has("</") {
		if !p.blank(t0, t1) { // text before a child: mixed content
			return 0, false
		}
		child, ok := p.element()
		if !ok {
			return 0, false
		}
		if last == 0 {
			d.nodes[n].first = child
		} else {
			d.nodes[last].next = child
		}
		last = child
		if t0, t1, ok = p.text(); !ok {
			return 0, false
		}
	}
	if last != 0 && !p.blank(t0, t1) {
		return 0, false
	}
	if last == 0 {
		d.nodes[n].text0, d.nodes[n].text1 = t0, t1
	}
	p.i += 2
	close := p.i
	cend, ok := p.name()
	if !ok || d.s[close:cend] != d.s[start:end] || !p.has(">") {
		return 0, false
	}
	p.i++
	return n, true
}

// text reads character data up to the next '<', decoding the predefined entities, and
// returns it as xnode's text0 and text1.
func (p *xparser) text() (t0, t1 int32, ok bool) {
	s := p.d.s
	start, plain := p.i, true
	for p.i < len(s) && s[p.i] != '<' {
		c := s[p.i]
		switch {
		case c == '&':
			plain = false
		case c >= 0x80 || c < 0x20 && c != '\t' && c != '\n':
			return 0, 0, false
		case c == '>' && p.i >= start+2 && s[p.i-1] == ']' && s[p.i-2] == ']':
			return 0, 0, false
		}
		p.i++
	}
	if p.i == len(s) {
		return 0, 0, false
	}
	if plain {
		return int32(start), int32(p.i), true
	}
	t, ok := unescapeSimple(s[start:p.i])
	if !ok {
		return 0, 0, false
	}
	p.d.texts = append(p.d.texts, t)
	return -int32(len(p.d.texts)), 0, true
}

// unescapeSimple decodes &lt; &gt; &amp; &quot; &apos; and character references to
// ASCII characters (encoding/xml writes &#34; &#39; &#xA;...); any other reference fails.
func unescapeSimple(s string) (string, bool) {
	var b strings.Builder
	b.Grow(len(s))
	for {
		i := strings.IndexByte(s, '&')
		if i < 0 {
			b.WriteString(s)
			return b.String(), true
		}
		b.WriteString(s[:i])
		s = s[i:]
		j := strings.IndexByte(s, ';')
		if j < 0 {
			return "", false
		}
		switch ref := s[:j+1]; ref {
		case "&lt;":
			b.WriteByte('<')
		case "&gt;":
			b.WriteByte('>')
		case "&amp;":
			b.WriteByte('&')
		case "&quot;":
			b.WriteByte('"')
		case "&apos;":
			b.WriteByte('\'')
		default:
			c, ok := charRef(ref)
			if !ok {
				return "", false
			}
			b.WriteByte(c)
		}
		s = s[j+1:]
	}
}

// charRef decodes a character reference (&#34; or &#x22;) to an ASCII character that
// XML allows: tab, newline, carriage return, or 0x20 to 0x7F.
func charRef(ref string) (byte, bool) {
	if !strings.HasPrefix(ref, "&#") || len(ref) < 4 || len(ref) > 8 {
		return 0, false
	}
	digits, base := ref[2:len(ref)-1], 10
	if digits[0] == 'x' {
		digits, base = digits[1:], 16
	}
	v, err := strconv.ParseUint(digits, base, 8)
	if err != nil || digits == "" || digits[0] == '+' || v >= 0x80 || v < 0x20 && v != '\t' && v != '\n' && v != '\r' {
		return 0, false
	}
	return byte(v), true
}
