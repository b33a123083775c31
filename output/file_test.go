package output

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/planrun/planrun/internal/testflag" // accepts -update
)

// writeText writes text to path as a report file.
func writeText(path, text string) error {
	return WriteFile(context.Background(), path, func(w io.Writer) error { _, err := io.WriteString(w, text); return err })
}

// TestOutputThroughSymlinkKeepsTheLink: an output that is a symbolic link is written
// through: the file it leads to gets the report, the link stays a link, and the target's
// permissions are kept.
func TestOutputThroughSymlinkKeepsTheLink(t *testing.T) {
	dir := t.TempDir()
	other := t.TempDir()
	target := filepath.Join(other, "real.json")
	if err := os.WriteFile(target, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(dir, target)
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "out.json")
	if err := os.Symlink(rel, link); err != nil {
		t.Fatal(err)
	}
	// A chain of two links: the second leads to the first.
	link2 := filepath.Join(dir, "out2.json")
	if err := os.Symlink("out.json", link2); err != nil {
		t.Fatal(err)
	}
	if err := CheckOutput(link2); err != nil {
		t.Fatalf("check: %v", err)
	}
	if err := writeText(link2, "new"); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{link, link2} {
		if fi, err := os.Lstat(l); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			t.Errorf("%s is no longer a link: %v %v", l, fi.Mode(), err)
		}
	}
	if data, _ := os.ReadFile(target); string(data) != "new" {
		t.Errorf("target holds %q, want the report", data)
	}
	if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o640 {
		t.Errorf("target mode %v, want 0640 kept", fi.Mode().Perm())
	}
	if names, _ := filepath.Glob(filepath.Join(other, ".*")); len(names) != 0 {
		t.Errorf("temporary files left: %v", names)
	}
}

// TestOutputThroughDanglingSymlink: a link to a file not made yet makes that file.
func TestOutputThroughDanglingSymlink(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "out.json")
	if err := os.Symlink("made.json", link); err != nil {
		t.Fatal(err)
	}
	if err := writeText(link, "r"); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "made.json")); string(data) != "r" {
		t.Errorf("made.json holds %q", data)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&fs.ModeSymlink == 0 {
		t.Error("the link was replaced")
	}
}

// TestOutputToDevNullStaysADevice: /dev/null takes a report and stays a device (a rename
// would have replaced it by a regular file, as root).
func TestOutputToDevNullStaysADevice(t *testing.T) {
	if _, err := os.Stat(os.DevNull); err != nil || os.DevNull != "/dev/null" {
		t.Skip("no /dev/null")
	}
	if err := CheckOutput(os.DevNull); err != nil {
		t.Fatalf("check: %v", err)
	}
	if err := writeText(os.DevNull, strings.Repeat("x", 100<<10)); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(os.DevNull); err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
		t.Fatalf("/dev/null is no longer a device: %v %v", fi.Mode(), err)
	}
}

// TestOutputToDescriptorAppends: /proc/self/fd/N (what /dev/stdout leads to) is written in
// place, at the descriptor's own offset, so that a report sent to a stdout redirected to a
// file neither replaces that file nor overwrites what was printed before, and what is
// printed after follows it (issue 23's probe again: the summary printed after --results
// /dev/stdout overwrote the first lines of the results).
func TestOutputToDescriptorAppends(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("no /proc/self/fd")
	}
	path := filepath.Join(t.TempDir(), "stdout.txt")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("printed\n"); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(path)
	alias := fmt.Sprintf("/proc/self/fd/%d", f.Fd())
	if err := CheckOutput(alias); err != nil {
		t.Fatalf("check: %v", err)
	}
	if err := writeText(alias, "report\n"); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(path)
	if !os.SameFile(before, after) {
		t.Error("the redirected file was replaced")
	}
	if _, err := f.WriteString("printed after\n"); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); string(data) != "printed\nreport\nprinted after\n" {
		t.Errorf("file holds %q", data)
	}
	if err := AppendFile(context.Background(), alias, func(w io.Writer) error { _, err := io.WriteString(w, "summary\n"); return err }); err != nil {
		t.Fatal(err)
	}
	f.WriteString("end\n")
	if data, _ := os.ReadFile(path); string(data) != "printed\nreport\nprinted after\nsummary\nend\n" {
		t.Errorf("file holds %q after a step summary there", data)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	done := make(chan string)
	go func() { b, _ := io.ReadAll(r); done <- string(b) }()
	err = writeText(fmt.Sprintf("/dev/fd/%d", w.Fd()), "piped")
	w.Close()
	if got := <-done; err != nil || got != "piped" {
		t.Errorf("through a pipe: %q, %v", got, err)
	}
}

// TestOutputInMissingFolderRefused: a missing folder is an error, never created.
func TestOutputInMissingFolderRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "nope", "deeper", "r.json")
	if err := CheckOutput(path); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("check: %v, want a missing folder", err)
	}
	if err := writeText(path, "x"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("write: %v, want a missing folder", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "nope")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the folder was created: %v", err)
	}
	// A link to a file in a missing folder is refused the same way.
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(filepath.Join(dir, "gone", "r.json"), link); err != nil {
		t.Fatal(err)
	}
	if err := CheckOutput(link); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("check through a link: %v, want a missing folder", err)
	}
}

// TestOutputRefusesFolderAndLinkLoop: a folder (also behind a link) and a link loop are no
// outputs.
func TestOutputRefusesFolderAndLinkLoop(t *testing.T) {
	dir := t.TempDir()
	if err := CheckOutput(dir); err == nil || !strings.Contains(err.Error(), "folder") {
		t.Errorf("folder: %v", err)
	}
	toDir := filepath.Join(dir, "d")
	if err := os.Symlink(dir, toDir); err != nil {
		t.Fatal(err)
	}
	if err := writeText(toDir, "x"); err == nil {
		t.Error("wrote a link to a folder")
	}
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	if err := errors.Join(os.Symlink("b", a), os.Symlink("a", b)); err != nil {
		t.Fatal(err)
	}
	if err := CheckOutput(a); err == nil || !strings.Contains(err.Error(), "symbolic links") {
		t.Errorf("loop: %v", err)
	}
}

// TestOutputProtectedThroughLink: an output that leads (through a link) to the state file
// is refused.
func TestOutputProtectedThroughLink(t *testing.T) {
	dir := t.TempDir()
	st := filepath.Join(dir, "s.db")
	if err := os.WriteFile(st, []byte("db"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "r.json")
	if err := os.Symlink("s.db", link); err != nil {
		t.Fatal(err)
	}
	if err := CheckOutput(link, Protected{Path: st, What: "the state file"}); err == nil || !strings.Contains(err.Error(), "the state file") {
		t.Errorf("check: %v", err)
	}
}
