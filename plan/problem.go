package plan

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Problem is one thing wrong with a plan file, located in it.
type Problem struct {
	File    string // the file as given to Load or Parse
	Line    int    // 1-based; a problem with the file as a whole is on line 1
	Col     int    // 1-based
	Path    string // where in the plan, e.g. jobs[2].window.every; empty for file-level problems
	Message string
}

// String renders p as "file:line:col: path: message" (the path omitted when there is
// none). Every problem names a position: one with the file as a whole is at 1:1.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	fmt.Fprintf(&b, ":%d:%d: ", max(p.Line, 1), max(p.Col, 1))
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is every problem found in one plan file, sorted by position. It is the error
// Load and Parse return for an invalid plan; get it with errors.As.
type Problems []Problem

// Error renders one problem per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// normalize sorts problems by line, then column, then path and message (file-level
// problems first) and drops exact duplicates.
func (ps Problems) normalize() Problems {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col),
			cmp.Compare(a.Path, b.Path), cmp.Compare(a.Message, b.Message))
	})
	return slices.Compact(ps)
}

var plainKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// pathString renders a pointer into doc as a path a user reads: jobs[2].window.every.
// List indexes are bracketed; keys that are not plain identifiers are quoted:
// jobs[0]["a.b"].
func pathString(doc any, ptr []string) string {
	var b strings.Builder
	cur := doc
	for _, s := range ptr {
		switch c := cur.(type) {
		case []any:
			b.WriteString("[" + s + "]")
			if i, err := strconv.Atoi(s); err == nil && i >= 0 && i < len(c) {
				cur = c[i]
			} else {
				cur = nil
			}
			continue
		case map[string]any:
			cur = c[s]
		default:
			cur = nil
		}
		if plainKey.MatchString(s) {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s)
		} else {
			fmt.Fprintf(&b, "[%q]", s)
		}
	}
	return b.String()
}
