package plan

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// scalarProblem returns why a scalar cannot be in a plan, or "". key is the mapping key
// the scalar is the value of ("" for list items and keys).
//
//   - an explicit YAML tag (!!binary, !!timestamp, !custom) other than !!str: a plan's
//     values are plain text, numbers and booleans, and a tag would change what is sent;
//   - in a string, a control character, or a Unicode noncharacter such as U+FFFE: the
//     service's XML cannot carry them (they were sent as U+FFFD, so several values gave
//     one body). Free text (description) may hold line breaks and tabs; nor a
//     bidirectional embedding, override or isolate (U+202A-U+202E, U+2066-U+2069), which
//     shows a reviewer text in another order than what is sent;
//   - a line break kept at the end by a | or > block, which would become part of a prefix
//     or an object key.
func scalarProblem(n *yaml.Node, key string) string {
	if n.Style&yaml.TaggedStyle != 0 && n.Tag != "!!str" {
		return fmt.Sprintf("YAML tag %s is not allowed in a plan: write the value as plain text", n.Tag)
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" && n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
		return ""
	}
	v := n.Value
	freeText := key == "description"
	if !freeText && n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 && strings.HasSuffix(v, "\n") {
		return "ends with a line break, which a | or > block keeps: write |- (or >-), or the value on one line"
	}
	for i, r := range v {
		if freeText && (r == '\n' || r == '\t') {
			continue
		}
		if bad := badRune(r); bad != "" {
			return fmt.Sprintf("holds %s (U+%04X at character %d): a plan's strings cannot carry it", bad, r, utf8.RuneCountInString(v[:i])+1)
		}
	}
	return ""
}

// badRune names what is wrong with r in a plan string, or returns "".
func badRune(r rune) string {
	switch {
	case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f:
		return "a control character"
	case r >= 0xfdd0 && r <= 0xfdef || r&0xfffe == 0xfffe:
		return "a Unicode noncharacter"
	case r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069:
		// embeddings, overrides and isolates reorder what a reviewer reads of the plan and of
		// every output that shows the value ("Trojan Source"); the marks (U+200E, U+200F)
		// that right-to-left names may need stay allowed
		return "a bidirectional override"
	}
	return ""
}
