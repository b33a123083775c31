package ciapi

import (
	"strconv"
	"strings"
	"unsafe"
)

// xnode is an element of a small XML document read by parseSimpleXML.
type xnode struct {
	name  string
	text  string // character data, entities decoded; empty when there are children
	first *xnode // first child element
	next  *xnode // next sibling element
}

// hasChildren reports whether n holds child elements.
func (n *xnode) hasChildren() bool { return n.first != nil }

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
func parseSimpleXML(b []byte) (root *xnode, ok bool) {
	return parseSimpleXMLString(string(b))
}

// parseSimpleXMLShared is parseSimpleXML without the copy: the names and texts of the
// nodes are substrings of b itself, so b must never change while they are in use (the
// client's own answer bodies, read into a buffer of their own and never written again).
func parseSimpleXMLShared(b []byte) (root *xnode, ok bool) {
	return parseSimpleXMLString(unsafe.String(unsafe.SliceData(b), len(b)))
}

// parseSimpleXMLString is parseSimpleXML of s.
func parseSimpleXMLString(s string) (root *xnode, ok bool) {
	p := &xparser{s: s}
	// Every element has at least one '<'; most have two.
	p.slab = make([]xnode, 0, strings.Count(p.s, "<")/2+1)
	p.space()
	if p.has("<?") {
		if !p.has(xmlHeader) {
			return nil, false
		}
		p.i += len(xmlHeader)
		p.space()
	}
	root, ok = p.element()
	if !ok {
		return nil, false
	}
	p.space()
	return root, p.i == len(p.s)
}

// xparser is the cursor of parseSimpleXML.
type xparser struct {
	s     string
	i     int
	depth int
	slab  []xnode // nodes are taken from here; a full slab is replaced, never grown
}

// maxDepth bounds the nesting parseSimpleXML follows (answers are 4 deep).
const maxDepth = 8

// slabSize is how many nodes are added when the first slab is full.
const slabSize = 16

// node returns a new node named name.
func (p *xparser) node(name string) *xnode {
	if len(p.slab) == cap(p.slab) {
		p.slab = make([]xnode, 0, slabSize)
	}
	p.slab = append(p.slab, xnode{name: name})
	return &p.slab[len(p.slab)-1]
}

// has reports whether the input continues with s.
func (p *xparser) has(s string) bool {
	return len(p.s)-p.i >= len(s) && p.s[p.i:p.i+len(s)] == s
}

// space skips XML white space.
func (p *xparser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n') {
		p.i++
	}
}

// name reads an element name: [A-Za-z][A-Za-z0-9_]*.
func (p *xparser) name() (string, bool) {
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || p.i > start && (c >= '0' && c <= '9' || c == '_') {
			p.i++
			continue
		}
		break
	}
	return p.s[start:p.i], p.i > start
}

// element reads one element starting at '<'.
func (p *xparser) element() (*xnode, bool) {
	if p.depth++; p.depth > maxDepth || !p.has("<") {
		return nil, false
	}
	defer func() { p.depth-- }()
	p.i++
	name, ok := p.name()
	if !ok {
		return nil, false
	}
	n := p.node(name)
	if p.has("/>") {
		p.i += 2
		return n, true
	}
	if !p.has(">") {
		return nil, false
	}
	p.i++
	text, ok := p.text()
	if !ok {
		return nil, false
	}
	var last *xnode
	for !p.has("</") {
		if strings.Trim(text, " \t\n") != "" { // text before a child: mixed content
			return nil, false
		}
		child, ok := p.element()
		if !ok {
			return nil, false
		}
		if last == nil {
			n.first = child
		} else {
			last.next = child
		}
		last = child
		if text, ok = p.text(); !ok {
			return nil, false
		}
	}
	if n.hasChildren() && strings.Trim(text, " \t\n") != "" {
		return nil, false
	}
	if !n.hasChildren() {
		n.text = text
	}
	p.i += 2
	end, ok := p.name()
	if !ok || end != name || !p.has(">") {
		return nil, false
	}
	p.i++
	return n, true
}

// text reads character data up to the next '<', decoding the predefined entities.
func (p *xparser) text() (string, bool) {
	start, plain := p.i, true
	for p.i < len(p.s) && p.s[p.i] != '<' {
		c := p.s[p.i]
		switch {
		case c == '&':
			plain = false
		case c >= 0x80 || c < 0x20 && c != '\t' && c != '\n':
			return "", false
		case c == '>' && p.i >= start+2 && p.s[p.i-1] == ']' && p.s[p.i-2] == ']':
			return "", false
		}
		p.i++
	}
	if p.i == len(p.s) {
		return "", false
	}
	raw := p.s[start:p.i]
	if plain {
		return raw, true
	}
	return unescapeSimple(raw)
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
