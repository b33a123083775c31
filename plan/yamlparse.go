package plan

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/planrun/planrun/plan/yamlsrc"
)

const (
	// maxPlanBytes is the largest plan file planrun reads.
	maxPlanBytes = 8 << 20
)

// syntaxLine matches the position prefix of yaml.v3 syntax errors.
var syntaxLine = regexp.MustCompile(`^line (\d+): `)

// parseDocument parses data as exactly one YAML document and returns its root node, or
// the problems that prevent reading it. Anything the YAML parser does, including a panic
// on hostile input, ends as a problem.
func parseDocument(file string, data []byte) (root *yaml.Node, probs Problems) {
	defer func() {
		if r := recover(); r != nil {
			root = nil
			probs = Problems{{File: file, Line: 1, Col: 1, Message: fmt.Sprintf("cannot parse YAML: %v", r)}}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	err := dec.Decode(&doc)
	if errors.Is(err, io.EOF) {
		return nil, Problems{{File: file, Line: 1, Col: 1, Message: "empty plan: expected version, name and jobs"}}
	}
	if err != nil {
		return nil, Problems{syntaxProblem(file, data, err)}
	}
	if len(doc.Content) == 0 || isEmptyNode(doc.Content[0]) {
		return nil, Problems{{File: file, Line: 1, Col: 1, Message: "empty plan: expected version, name and jobs"}}
	}
	root = doc.Content[0]
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		probs = append(probs, syntaxProblem(file, data, err))
	case len(next.Content) > 0 && !isEmptyNode(next.Content[0]):
		probs = append(probs, Problem{File: file, Line: next.Line, Col: next.Column,
			Message: "a plan file holds one YAML document, but another one starts here: remove the '---' or split the file"})
	}
	return root, probs
}

// isEmptyNode reports whether n is an empty document body (nothing, or a bare null).
func isEmptyNode(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null" && (n.Value == "" || n.Value == "~" || n.Value == "null")
}

// syntaxProblem turns a yaml.v3 parse error into a problem on its line.
func syntaxProblem(file string, data []byte, err error) Problem {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	p := Problem{File: file}
	if m := syntaxLine.FindStringSubmatch(msg); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
	}
	if isParserError(msg) {
		// yaml.v3 reports parser errors with a 0-based line: the line before the
		// construct that failed (and no line at all on the first line).
		p.Line++
	}
	if line, ind, fits, atItem := yamlsrc.Misindented(data); line > 0 && p.Line > 0 && line >= p.Line {
		// yaml.v3 names the start of the enclosing block; point at the line that slipped.
		p.Line, p.Col = line, ind+1
		p.Message = "YAML syntax error: " + msg + "; " + yamlsrc.IndentHint(ind, fits, atItem)
		return p
	}
	if p.Line == 0 {
		p.Line, p.Col = locateUnplaced(data, msg)
	} else {
		p.Col = 1
		// Tabs in indentation are reported on a line near the tab; point at the tab.
		for l := max(p.Line-1, 1); l <= p.Line+2; l++ {
			if c := tabColumn(data, l); c > 0 {
				p.Line, p.Col = l, c
				msg += " (indent with spaces: YAML does not allow tabs here)"
				break
			}
		}
	}
	p.Message = "YAML syntax error: " + msg
	return p
}

// isParserError reports whether msg is one of yaml.v3's parser (not scanner) errors.
func isParserError(msg string) bool {
	for _, p := range []string{"did not find expected", "found duplicate %", "found incompatible YAML document", "found undefined tag handle"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// tabColumn returns the 1-based column of the first tab in the leading whitespace of the
// given line of data, or 0.
func tabColumn(data []byte, line int) int {
	for n := 1; n < line; n++ {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			return 0
		}
		data = data[i+1:]
	}
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		data = data[:i]
	}
	for i, c := range data {
		switch c {
		case '\t':
			return i + 1
		case ' ', '-':
		default:
			return 0
		}
	}
	return 0
}

// unknownAnchor matches yaml.v3's message for an alias without its anchor.
var unknownAnchor = regexp.MustCompile(`^unknown anchor '([^']*)' referenced`)

// locateUnplaced finds where a syntax error that yaml.v3 reports without a line happened:
// the first use of an unknown alias, or the first byte that is not text; else 1:1.
func locateUnplaced(data []byte, msg string) (line, col int) {
	if m := unknownAnchor.FindStringSubmatch(msg); m != nil {
		if i := bytes.Index(data, []byte("*"+m[1])); i >= 0 {
			return lineCol(data, i)
		}
	}
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 || r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f {
			return lineCol(data, i)
		}
		i += size
	}
	return 1, 1
}

// lineCol converts a byte offset of data into a 1-based line and column (in runes).
func lineCol(data []byte, off int) (line, col int) {
	before := data[:off]
	line = 1 + bytes.Count(before, []byte("\n"))
	if i := bytes.LastIndexByte(before, '\n'); i >= 0 {
		before = before[i+1:]
	}
	return line, 1 + utf8.RuneCount(before)
}
