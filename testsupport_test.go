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
)

// testflagPath is the import path of the one -update flag.
const testflagPath = module + "/internal/testflag"

// testImports returns, for each folder of the module under root that holds test files, the
// paths its test files import.
func testImports(t *testing.T, root string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
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
		if !strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		out[dir] = append(out[dir], "")
		for _, spec := range f.Imports {
			imp, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				return err
			}
			out[dir] = append(out[dir], imp)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("read test imports: %v", err)
	}
	return out
}

// TestEveryTestBinaryAcceptsUpdate holds `go test ./... -update` working: a test binary that
// does not define -update fails the whole command, so every package with tests imports the
// one flag (blank where it has no golden files).
func TestEveryTestBinaryAcceptsUpdate(t *testing.T) {
	if _, err := os.Stat("go.mod"); err != nil {
		t.Fatalf("run from the module root: %v", err)
	}
	dirs := testImports(t, ".")
	if len(dirs) < 10 {
		t.Fatalf("only %d folders with tests found: the check would check nothing", len(dirs))
	}
	var missing []string
	for dir, imports := range dirs {
		if !slices.Contains(imports, testflagPath) {
			missing = append(missing, dir)
		}
	}
	slices.Sort(missing)
	for _, dir := range missing {
		t.Errorf("%s: no test file imports %s, so go test ./... -update fails there", dir, testflagPath)
	}
}

// TestTestSupportOnlyInTests holds the test support out of the programs: a command that
// imported it would carry the testing flags and the emulator.
func TestTestSupportOnlyInTests(t *testing.T) {
	for pkg, imports := range importGraph(t, ".") {
		if under(pkg, "internal") {
			continue
		}
		for _, imp := range imports {
			if under(imp, "internal/testflag") || under(imp, "internal/testenv") || under(imp, "internal/exectest") {
				t.Errorf("%s imports %s outside its tests", pkg, imp)
			}
		}
	}
}
