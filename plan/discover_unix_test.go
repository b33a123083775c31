//go:build unix

package plan

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"
)

func TestDiscoverSkipsWhatIsNotARegularFile(t *testing.T) {
	// A FIFO named *.yaml used to block validate forever: Discover leaves it out and Load,
	// given it by name, refuses it without opening it.
	dir := t.TempDir()
	makeFiles(t, dir, "a.yaml", "real.yml")
	fifo := filepath.Join(dir, "pipe.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if err := os.Symlink(filepath.Join(dir, "real.yml"), filepath.Join(dir, "link.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(fifo, filepath.Join(dir, "pipelink.yaml")); err != nil {
		t.Fatal(err)
	}
	got, err := Discover([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "a.yaml"), filepath.Join(dir, "link.yaml"), filepath.Join(dir, "real.yml")}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Discover = %q, want %q", got, want)
	}
	for _, p := range []string{fifo, filepath.Join(dir, "pipelink.yaml")} {
		if _, err := Load(p); !errors.Is(err, ErrNotRegular) {
			t.Errorf("Load(%s) = %v, want ErrNotRegular", p, err)
		}
	}
}
