package plan

import (
	"fmt"
	"strings"
	"testing"
)

// wantProblem parses src and checks that one problem sits at line:col and says want.
func wantProblem(t *testing.T, src string, line, col int, want string) {
	t.Helper()
	probs := parseProblems(t, src)
	for _, p := range probs {
		if p.Line == line && p.Col == col && strings.Contains(p.Message, want) {
			return
		}
	}
	t.Errorf("no problem at %d:%d saying %q; got:\n%v", line, col, want, probs)
}

func TestDeepNestingIsRefusedWhereItGoesTooDeep(t *testing.T) {
	// 6,000 levels in 24 KB used to take a minute and gigabytes; past maxDepth the plan is
	// refused at the first node too deep, before conversion or the schema see it.
	flow := validHead + "  - name: a\n    prefix: " + strings.Repeat("[", 6000) + strings.Repeat("]", 6000) + "\n"
	// root mapping, jobs list, the job mapping: the prefix's lists are levels 4 and on.
	wantProblem(t, flow, 9, 13+maxDepth-3, "nest more than 64 levels")

	var b strings.Builder
	b.WriteString(validHead + "  - name: a\n    prefix: in/\n    description:\n")
	for i := range 70 {
		fmt.Fprintf(&b, "%s  k:\n", strings.Repeat("  ", i+2))
	}
	wantProblem(t, b.String(), 11+maxDepth-3, 2*(maxDepth-3)+7, "nest more than 64 levels")

	// Through an alias: an anchored block 40 deep, used 40 deep, is reported at the alias.
	anchored := "x: &deep " + strings.Repeat("[", 40) + strings.Repeat("]", 40) + "\n"
	aliased := "y: " + strings.Repeat("[", 40) + "*deep" + strings.Repeat("]", 40) + "\n"
	wantProblem(t, "version: 1\n"+anchored+aliased, 3, 44, "nest more than 64 levels")

	// A plan at the limit is read (and rejected only for what it holds).
	ok := validHead + "  - name: a\n    prefix: in/\n    description: " + strings.Repeat("[", maxDepth-3) + strings.Repeat("]", maxDepth-3) + "\n"
	for _, p := range parseProblems(t, ok) {
		if strings.Contains(p.Message, "nest") {
			t.Errorf("a plan %d levels deep is refused: %v", maxDepth, p)
		}
	}
}
