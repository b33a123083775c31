package plan

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
)

func TestDiscover(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"b.yaml", "a.yml", "notes.txt", "sub/c.yaml", "sub/deeper/d.yml", ".git/x.yaml", "sub/.hidden/y.yaml"} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	single := filepath.Join(dir, "notes.txt")
	got, err := Discover([]string{single, dir, filepath.Join(dir, "b.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		single, // a file named explicitly is kept whatever its extension
		filepath.Join(dir, "a.yml"),
		filepath.Join(dir, "b.yaml"),
		filepath.Join(dir, "sub", "c.yaml"),
		filepath.Join(dir, "sub", "deeper", "d.yml"),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Discover =\n%q\nwant\n%q", got, want)
	}
}

func TestDiscoverErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Discover([]string{filepath.Join(dir, "nope.yaml")}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing path: %v, want fs.ErrNotExist", err)
	}
	if _, err := Discover([]string{dir}); !errors.Is(err, ErrNoPlans) {
		t.Errorf("empty folder: %v, want ErrNoPlans", err)
	}
}

// makeFiles creates empty files under dir.
func makeFiles(t *testing.T, dir string, files ...string) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDiscoverExclude(t *testing.T) {
	dir := t.TempDir()
	makeFiles(t, dir, "a.yaml", "values.yaml", "values-prod.yml", "ci/build.yaml", "ci/keep.txt",
		"sub/b.yaml", "sub/ci/c.yaml", "sub/values.yaml", "other/d.yaml")
	rel := func(ps []string) []string {
		var out []string
		for _, p := range ps {
			r, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(r))
		}
		return out
	}
	cases := []struct {
		exclude []string
		want    []string
	}{
		{nil, []string{"a.yaml", "ci/build.yaml", "other/d.yaml", "sub/b.yaml", "sub/ci/c.yaml", "sub/values.yaml", "values-prod.yml", "values.yaml"}},
		// a glob without '/' matches base names at any depth, folders included
		{[]string{"values*"}, []string{"a.yaml", "ci/build.yaml", "other/d.yaml", "sub/b.yaml", "sub/ci/c.yaml"}},
		{[]string{"ci"}, []string{"a.yaml", "other/d.yaml", "sub/b.yaml", "sub/values.yaml", "values-prod.yml", "values.yaml"}},
		// a glob with '/' matches the path under the folder given; * does not cross '/'
		{[]string{"ci/*.yaml", "sub/*/*"}, []string{"a.yaml", "other/d.yaml", "sub/b.yaml", "sub/values.yaml", "values-prod.yml", "values.yaml"}},
		{[]string{"*/values.yaml", "other"}, []string{"a.yaml", "ci/build.yaml", "sub/b.yaml", "sub/ci/c.yaml", "values-prod.yml", "values.yaml"}},
		// repeated flags add up
		{[]string{"values.yaml", "values-prod.yml", "sub", "ci", "other"}, []string{"a.yaml"}},
	}
	for _, c := range cases {
		got, err := Discover([]string{dir}, c.exclude...)
		if err != nil {
			t.Fatalf("exclude %q: %v", c.exclude, err)
		}
		if !reflect.DeepEqual(rel(got), c.want) {
			t.Errorf("exclude %q:\n got %q\nwant %q", c.exclude, rel(got), c.want)
		}
	}
	// a glob with '/' also matches the path as found: the folder as given, then the rest
	got, err := Discover([]string{dir}, filepath.ToSlash(filepath.Join(dir, "sub"))+"/*.yaml")
	if err != nil || slices.Contains(rel(got), "sub/b.yaml") || !slices.Contains(rel(got), "sub/ci/c.yaml") {
		t.Errorf("full-path glob: %q, %v", rel(got), err)
	}
	// files named explicitly are kept; everything excluded is "no plans"; bad globs are errors
	one := filepath.Join(dir, "values.yaml")
	if got, err := Discover([]string{one}, "values*"); err != nil || len(got) != 1 {
		t.Errorf("explicit file: %q, %v", got, err)
	}
	if _, err := Discover([]string{dir}, "*"); !errors.Is(err, ErrNoPlans) {
		t.Errorf("all excluded: %v, want ErrNoPlans", err)
	}
	if _, err := Discover([]string{dir}, "[x"); !errors.Is(err, filepath.ErrBadPattern) {
		t.Errorf("bad glob: %v, want filepath.ErrBadPattern", err)
	}
}
