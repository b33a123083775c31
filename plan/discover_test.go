package plan

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
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
