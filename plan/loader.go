package plan

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/planrun/planrun/plan/yamlsrc"
	"github.com/planrun/planrun/schema"
)

// loader carries one parse: the node tree for positions, the converted document and the
// problems found so far.
type loader struct {
	file     string
	root     *yaml.Node
	doc      any
	probs    Problems
	warnings Problems
	skip     map[string]bool                        // pointers whose value the schema already rejected
	index    map[*yaml.Node]map[string]yamlsrc.Pair // mapping entries by name, built on demand
}

// run converts, validates and decodes the tree; it returns nil when problems were found
// that make the plan unusable.
func (l *loader) run(v *schema.Validator) *Plan {
	if r := yamlsrc.Deref(l.root); r == nil || r.Kind != yaml.MappingNode {
		l.addNode(l.root, "", "a plan must be a mapping with version, name and jobs, not "+kindName(yamlsrc.Deref(l.root)))
		return nil
	}
	if sp := yamlsrc.CheckSize(l.root); sp != nil {
		pr := Problem{File: l.file, Line: 1, Col: 1, Message: sp.Message}
		if sp.At != nil {
			pr.Line, pr.Col = sp.At.Line, sp.At.Column
		}
		l.probs = append(l.probs, pr)
		return nil
	}
	l.convert()
	doc, _ := l.doc.(map[string]any)
	if ver, ok := doc["version"]; ok && isNumber(ver) && fmt.Sprint(ver) != "1" {
		l.add([]string{"version"}, false, "unsupported plan version %v: this planrun reads version 1", ver)
		return nil
	}
	l.applySchema(v)
	return l.decodePlan(decodeDoc(doc))
}

// convert builds the JSON-compatible document from the node tree, recording problems of
// the tree itself (duplicate keys, non-string keys, bad merge keys).
func (l *loader) convert() {
	type pending struct {
		at  *yaml.Node
		ptr []string
		msg string
	}
	var later []pending
	c := &yamlsrc.Converter{Report: func(at *yaml.Node, ptr []string, msg string) {
		later = append(later, pending{at, ptr, msg})
	}, Check: scalarProblem}
	l.doc = c.Value(l.root)
	for _, p := range later {
		l.addNode(p.at, pathString(l.doc, p.ptr), p.msg)
	}
}

// applySchema records the schema's violations and remembers which values they rejected,
// so semantic checks do not report them twice.
func (l *loader) applySchema(v *schema.Validator) {
	for _, vi := range v.Validate(l.doc) {
		// Unknown keys are reported at the key; missing keys at the key that owns the
		// mapping (or the list item / document when there is none).
		atKey := vi.Keyword == "additionalProperties" || vi.Keyword == "required"
		msg := vi.Message
		if vi.Keyword == "type" && strings.HasPrefix(msg, "must be a string,") {
			val := yamlsrc.Deref(l.locate(vi.Pointer).value)
			if val != nil && val.Kind == yaml.ScalarNode && val.Value != "" && len(val.Value) <= 40 {
				msg += fmt.Sprintf("; put it in quotes: %q", val.Value)
			}
		}
		if vi.Keyword == "type" && strings.HasPrefix(msg, "must be a string, but it is empty") {
			msg += `; write "" for an empty string`
		}
		if vi.Keyword == "pattern" && len(vi.Pointer) > 0 && vi.Pointer[len(vi.Pointer)-1] == "bucket" {
			if val := yamlsrc.Deref(l.locate(vi.Pointer).value); val != nil && val.Kind == yaml.ScalarNode {
				msg = bucketAdvice(val.Value)
			}
		}
		if vi.Keyword == "pattern" && len(vi.Pointer) > 0 && vi.Pointer[len(vi.Pointer)-1] == "region" {
			if val := yamlsrc.Deref(l.locate(vi.Pointer).value); val != nil && val.Kind == yaml.ScalarNode {
				msg = fmt.Sprintf("%q %s", val.Value, msg)
				if s := closestRegion(strings.ToLower(strings.TrimSpace(val.Value))); s != "" {
					msg += fmt.Sprintf("; did you mean %q?", s)
				}
			}
		}
		if vi.Keyword == "required" && len(vi.Pointer) == 0 && msg == `missing required key "version"` {
			msg += ": every plan starts with version: 1; if this file is not a plan, exclude it with --exclude"
		}
		l.add(vi.Pointer, atKey, "%s", msg)
		if vi.Keyword != "required" && vi.Keyword != "additionalProperties" {
			l.skip[joinPtr(vi.Pointer)] = true
		}
	}
}

// add records a problem at ptr: at the key's position when atKey, else at the value's.
// A value reached through an alias or a merge key is reported where the alias is used,
// naming the line the value is written on.
func (l *loader) add(ptr []string, atKey bool, format string, args ...any) {
	at := l.locate(ptr)
	n := at.value
	if atKey && at.key != nil {
		n = at.key
	}
	p := Problem{File: l.file, Path: pathString(l.doc, ptr), Message: fmt.Sprintf(format, args...)}
	if via := at.via; via != nil && n != via && n != nil {
		p.Line, p.Col = via.Line, via.Column
		p.Message += fmt.Sprintf(" [line %d, through *%s]", n.Line, via.Value)
	} else if n != nil {
		p.Line, p.Col = n.Line, n.Column
	}
	l.probs = append(l.probs, p)
}

// warn records a warning at the value at ptr.
func (l *loader) warn(ptr []string, format string, args ...any) {
	at := l.locate(ptr)
	w := Problem{File: l.file, Path: pathString(l.doc, ptr), Message: fmt.Sprintf(format, args...)}
	if n := at.value; n != nil {
		w.Line, w.Col = n.Line, n.Column
	}
	l.warnings = append(l.warnings, w)
}

// check records a semantic problem at ptr unless the schema already rejected that value.
func (l *loader) check(ptr []string, atKey bool, format string, args ...any) {
	if !l.skip[joinPtr(ptr)] {
		l.add(ptr, atKey, format, args...)
	}
}

// addNode records a problem found while reading the node tree, before pointers exist.
func (l *loader) addNode(n *yaml.Node, path, msg string) {
	l.probs = append(l.probs, Problem{File: l.file, Line: n.Line, Col: n.Column, Path: path, Message: msg})
}

// kindName names a node's kind for messages.
func kindName(n *yaml.Node) string {
	switch {
	case n == nil:
		return "empty"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.ScalarNode && n.Tag == "!!null":
		return "empty"
	}
	return "a single value"
}

// isNumber reports whether v is a number of the converted document.
func isNumber(v any) bool {
	switch v.(type) {
	case int64, uint64, float64:
		return true
	}
	return false
}
