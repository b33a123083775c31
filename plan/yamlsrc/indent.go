package yamlsrc

import (
	"bytes"
	"fmt"
	"strings"
)

// Misindented finds the first line of a block-style YAML document whose indentation
// matches none of the blocks that are open above it: a key indented 3 spaces among keys at
// 4, or a key pulled back to a column no enclosing mapping uses. yaml.v3 reports such a
// slip at the start of the enclosing block (often the "- name:" line of the job); this
// points at the line itself. It returns the 1-based line, its indentation, and the
// indentations that would fit, or line 0 when every line fits. Blank lines, comments,
// block scalars and flow collections are skipped; it is a heuristic for messages only.
func Misindented(data []byte) (line, indent int, fits []int, atItem bool) {
	type block struct {
		ind int
		seq bool // the block's lines are "- " items
	}
	stack := []block{{}} // the open blocks, innermost last
	levels := func() []int {
		var l []int
		for _, b := range stack {
			l = append(l, b.ind)
		}
		return l
	}
	scalarAbove := -1  // indentation of the key that opened a block scalar, or -1
	flowDepth := 0     // open [ and { of a flow collection spanning lines
	prevOpens := false // the previous content line can open a nested block
	for n, raw := range bytes.Split(data, []byte("\n")) {
		text := strings.TrimRight(string(raw), " \r")
		body := strings.TrimLeft(text, " ")
		ind := len(text) - len(body)
		if body == "" || strings.HasPrefix(body, "#") {
			continue
		}
		if scalarAbove >= 0 {
			if ind > scalarAbove {
				continue
			}
			scalarAbove = -1
		}
		if flowDepth > 0 {
			flowDepth += flowBalance(body)
			continue
		}
		if strings.HasPrefix(body, "---") || strings.HasPrefix(body, "...") || strings.HasPrefix(body, "%") || strings.ContainsRune(body, '\t') && strings.HasPrefix(strings.TrimLeft(string(raw), " \t"), body) && strings.ContainsRune(string(raw)[:len(raw)-len(strings.TrimLeft(string(raw), " \t"))], '\t') {
			continue
		}
		item := strings.HasPrefix(body, "- ") || body == "-"
		top := stack[len(stack)-1]
		switch {
		case ind > top.ind:
			if !prevOpens {
				// A continuation of a plain scalar, or a value under a scalar: yaml.v3
				// reports that one on its own line already.
				continue
			}
			stack = append(stack, block{ind: ind, seq: item})
		case ind < top.ind:
			all := levels()
			for len(stack) > 1 && stack[len(stack)-1].ind > ind {
				stack = stack[:len(stack)-1]
			}
			if stack[len(stack)-1].ind != ind {
				return n + 1, ind, all, false
			}
		}
		if b := stack[len(stack)-1]; b.seq && !item {
			// A key at the column of a list's "-" items belongs to no item.
			return n + 1, ind, levels(), true
		}
		// A sequence item "- key: v" opens a block at the column of its content.
		content, cind := body, ind
		for strings.HasPrefix(content, "- ") {
			rest := strings.TrimLeft(content[2:], " ")
			cind += len(content) - len(rest)
			content = rest
			stack = append(stack, block{ind: cind, seq: strings.HasPrefix(rest, "- ")})
		}
		prevOpens = opensBlock(content)
		if isBlockScalarHeader(content) {
			scalarAbove = ind
			prevOpens = false
		}
		flowDepth = max(flowBalance(valuePart(content)), 0)
	}
	return 0, 0, nil, false
}

// opensBlock reports whether a line's content ends a key with no value on the line
// ("window:"), or is a bare "-", so the next line may be indented deeper.
func opensBlock(content string) bool {
	c := stripComment(content)
	return strings.HasSuffix(c, ":") || c == "-"
}

// isBlockScalarHeader reports whether the line's value starts a literal or folded scalar.
func isBlockScalarHeader(content string) bool {
	v := strings.TrimSpace(stripComment(valuePart(content)))
	return v != "" && (v[0] == '|' || v[0] == '>') && strings.Trim(v[1:], "+-0123456789") == ""
}

// valuePart is what follows the first ": " of a line (the whole line when it has none).
func valuePart(content string) string {
	if i := strings.Index(content, ": "); i >= 0 {
		return content[i+2:]
	}
	return content
}

// stripComment drops a trailing " #" comment (quotes are not followed: messages only).
func stripComment(s string) string {
	if i := strings.Index(s, " #"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimRight(s, " ")
}

// flowBalance counts the brackets a flow collection leaves open on a line.
func flowBalance(s string) int {
	if s == "" || (s[0] != '[' && s[0] != '{') && !strings.ContainsAny(s, "[{") {
		return 0
	}
	if s[0] != '[' && s[0] != '{' {
		return 0
	}
	return strings.Count(s, "[") + strings.Count(s, "{") - strings.Count(s, "]") - strings.Count(s, "}")
}

// IndentHint describes a misindented line for a syntax error message.
func IndentHint(indent int, fits []int, atItem bool) string {
	if atItem {
		return fmt.Sprintf("this key is at the column of the list's '-' items (%d spaces), so it belongs to no item: indent it like the keys of the item above, or start a new item with '- '", indent)
	}
	var cols []string
	for _, f := range fits {
		cols = append(cols, fmt.Sprint(f))
	}
	return fmt.Sprintf("this line is indented %d spaces, which matches no block above it (blocks open at %s spaces): align it with the keys it belongs to",
		indent, strings.Join(cols, ", "))
}
