// Package planrun_test holds the line between planrun's packages: which may import which.
package planrun_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	_ "github.com/planrun/planrun/internal/testflag" // accepts -update
)

// module is the import path of this module.
const module = "github.com/planrun/planrun"

// layer is the import rule of one package (and of the packages under it).
type layer struct {
	// allow lists the planrun packages it may import directly (a package under one of them
	// is allowed too, and so are its own subpackages); nil means any.
	allow []string
	// never lists packages it must not reach, directly or through any other package.
	never []string
}

// layers are the import rules of the house. A package under a listed one follows the rule of
// its nearest listed ancestor (ciapi/emulator has its own). Packages with no rule (the
// commands, bench, docs tests) may import anything.
var layers = map[string]layer{
	"schema":                  {allow: []string{}},
	"ciapi":                   {allow: []string{}},
	"ciapi/emulator":          {allow: []string{"ciapi"}},
	"ciapi/emulator/throttle": {allow: []string{}},
	"pace":                    {allow: []string{"ciapi"}, never: []string{"executor", "objects", "state", "report", "cmd"}},
	"plan":                    {allow: []string{"schema"}},
	"plan/yamlsrc":            {allow: []string{}},
	"state":                   {allow: []string{"plan", "ciapi", "schema"}, never: []string{"executor", "objects", "report", "cmd"}},
	// state/scratch is a command's temporary database of jobs: a leaf beside the state.
	"state/scratch": {allow: []string{}},
	"executor":      {allow: []string{"plan", "ciapi", "pace", "state", "state/scratch", "schema"}, never: []string{"executor/follow", "objects", "report", "session", "cmd"}},
	// executor/follow follows batch jobs to their end (Wait, Refresh) and cancels them, on a
	// handle the batch jobs give it (executor.Engine); executor never reaches it.
	"executor/follow": {allow: []string{"executor", "pace", "plan", "ciapi", "state", "state/scratch"}, never: []string{"objects", "report", "session", "cmd"}},
	// executor/workers is the pool a run's requests go to: a leaf.
	"executor/workers": {allow: []string{}},
	// objects is per-object work above the batch jobs: results need the batch jobs a run made.
	"objects": {allow: []string{"executor", "pace", "plan", "ciapi", "state"}, never: []string{"report", "session", "cmd"}},
	// report renders: it reads results (executor's result types, which carry the state's
	// row type and the service's words; objects' retry sets) and plans, never the state, the
	// client or a file.
	"report":          {allow: []string{"executor", "objects", "plan", "report/layout", "report/results", "report/safetext"}, never: []string{"cmd", "output", "session"}},
	"report/grid":     {allow: []string{"plan/request", "report/layout", "report/safetext"}},
	"report/layout":   {allow: []string{"report/safetext"}},
	"report/safetext": {allow: []string{}},
	"report/results":  {allow: []string{"executor", "report/layout", "report/safetext"}, never: []string{"cmd", "output", "session"}},
	"report/progress": {allow: []string{"executor", "report/layout", "report/safetext"}, never: []string{"cmd", "output", "session"}},
	"report/help":     {allow: []string{}},
	// output writes files and knows nothing of what is in them.
	"output":  {allow: []string{}},
	"session": {never: []string{"cmd"}},
	// The test support: a leaf flag, and the environment tests share (emulator, plans).
	"internal/testflag": {allow: []string{}},
	"internal/testenv":  {allow: []string{"ciapi", "plan"}, never: []string{"executor", "state", "report", "cmd"}},
	"internal/exectest": {allow: []string{"executor", "state"}, never: []string{"objects", "report", "session", "cmd"}},
}

// under reports whether package pkg is p or lies under it.
func under(pkg, p string) bool { return pkg == p || strings.HasPrefix(pkg, p+"/") }

// ruleOf returns the rule of pkg: that of its nearest listed ancestor.
func ruleOf(pkg string) (layer, bool) {
	for p := pkg; ; {
		if l, ok := layers[p]; ok {
			return l, true
		}
		i := strings.LastIndex(p, "/")
		if i < 0 {
			return layer{}, false
		}
		p = p[:i]
	}
}

// violations checks the import graph (package -> planrun packages it imports, both
// relative to the module) against layers and returns one line per broken rule, sorted.
func violations(graph map[string][]string) []string {
	var out []string
	for pkg, imports := range graph {
		rule, ok := ruleOf(pkg)
		if !ok {
			continue
		}
		if rule.allow != nil {
			for _, imp := range imports {
				if !slices.ContainsFunc(rule.allow, func(a string) bool { return under(imp, a) }) && !under(imp, pkg) {
					out = append(out, pkg+" imports "+imp+": allowed only "+strings.Join(rule.allow, ", "))
				}
			}
		}
		for reached, via := range reach(graph, pkg) {
			for _, n := range rule.never {
				if under(reached, n) {
					out = append(out, pkg+" reaches "+reached+" (through "+via+"): must never")
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// reach returns every package pkg imports directly or transitively, each with the direct
// import it is reached through.
func reach(graph map[string][]string, pkg string) map[string]string {
	seen := map[string]string{}
	var walk func(p, via string)
	walk = func(p, via string) {
		for _, imp := range graph[p] {
			if _, ok := seen[imp]; ok || imp == pkg {
				continue
			}
			v := via
			if v == "" {
				v = imp
			}
			seen[imp] = v
			walk(imp, v)
		}
	}
	walk(pkg, "")
	return seen
}

// importGraph parses the import clauses of every non-test Go file of the module under root
// (all build tags: a file for another system counts too) and returns the planrun imports of
// each package, relative to the module.
func importGraph(t *testing.T, root string) map[string][]string {
	t.Helper()
	graph := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		pkg := filepath.ToSlash(dir)
		if _, ok := graph[pkg]; !ok {
			graph[pkg] = nil
		}
		for _, spec := range f.Imports {
			imp, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				return err
			}
			if rel, ok := strings.CutPrefix(imp, module+"/"); ok && !slices.Contains(graph[pkg], rel) {
				graph[pkg] = append(graph[pkg], rel)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("read imports: %v", err)
	}
	return graph
}

// TestImportRules holds the layers: schema and ciapi are leaves (ciapi/emulator may use
// ciapi), plan uses only schema, state never reaches executor or report, executor never
// reaches objects or report (it returns results; report renders them), objects (per-object
// work above the batch jobs) never reaches report, session or cmd, report never reaches cmd.
// report and its rooms render only: none imports state or ciapi (report and report/results
// read executor's result types; report/grid and report/layout not even those), none
// writes a file (output does, and imports no planrun package).
func TestImportRules(t *testing.T) {
	if _, err := os.Stat("go.mod"); err != nil {
		t.Fatalf("run from the module root: %v", err)
	}
	graph := importGraph(t, ".")
	for _, pkg := range []string{"schema", "ciapi", "ciapi/emulator", "plan", "state", "executor", "executor/follow", "objects", "report", "report/grid",
		"report/layout", "report/results", "report/progress", "report/help", "output", "cmd/planrun"} {
		if _, ok := graph[pkg]; !ok {
			t.Errorf("package %s not found: the rules would check nothing", pkg)
		}
	}
	for _, v := range violations(graph) {
		t.Error(v)
	}
}

// TestImportRulesCatchEachBreak proves the check fails when a rule is broken: each case
// adds one forbidden import to the graph as it is today.
func TestImportRulesCatchEachBreak(t *testing.T) {
	base := importGraph(t, ".")
	cases := []struct{ from, to, want string }{
		{"schema", "plan", "schema imports plan"},
		{"ciapi", "plan", "ciapi imports plan"},
		{"ciapi/emulator", "state", "ciapi/emulator imports state"},
		{"plan", "ciapi", "plan imports ciapi"},
		{"plan", "state", "plan imports state"},
		{"state", "executor", "state imports executor"},
		{"state", "report", "state reaches report"},
		{"executor", "report", "executor reaches report"},
		{"executor", "objects", "executor imports objects"},
		{"executor", "executor/follow", "executor reaches executor/follow"},
		{"executor/follow", "objects", "executor/follow imports objects"},
		{"executor/follow", "session", "executor/follow imports session"},
		{"objects", "session", "objects imports session"},
		{"objects", "report", "objects imports report"},
		{"report", "cmd/planrun", "report reaches cmd/planrun"},
		{"report", "state", "report imports state"},
		{"report", "ciapi", "report imports ciapi"},
		{"report", "output", "report imports output"},
		{"report/grid", "state", "report/grid imports state"},
		{"report/grid", "executor", "report/grid imports executor"},
		{"report/results", "ciapi", "report/results imports ciapi"},
		{"report/layout", "report", "report/layout imports report"},
		{"output", "report", "output imports report"},
		// Through a package with no rule of its own: still caught.
		{"executor", "newpkg", "executor reaches report (through newpkg)"},
	}
	for _, c := range cases {
		graph := map[string][]string{"newpkg": {"report"}}
		for k, v := range base {
			graph[k] = slices.Clone(v)
		}
		graph[c.from] = append(graph[c.from], c.to)
		got := violations(graph)
		if !slices.ContainsFunc(got, func(v string) bool { return strings.Contains(v, c.want) }) {
			t.Errorf("%s -> %s: violations %q, want one containing %q", c.from, c.to, got, c.want)
		}
	}
	if got := violations(base); len(got) != 0 {
		t.Errorf("the module as it is: %q", got)
	}
}
