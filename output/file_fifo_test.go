//go:build unix

package output

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestOutputToFIFOStaysAFIFO: a FIFO (a named pipe a user reads from) gets the report
// written into it and stays a FIFO.
func TestOutputToFIFOStaysAFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if err := CheckOutput(path); err != nil {
		t.Fatalf("check (it must not open the FIFO): %v", err)
	}
	done := make(chan string)
	go func() {
		f, err := os.Open(path)
		if err != nil {
			done <- err.Error()
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		done <- string(b)
	}()
	if err := writeText(path, "through the pipe"); err != nil {
		t.Fatal(err)
	}
	if got := <-done; got != "through the pipe" {
		t.Errorf("reader got %q", got)
	}
	if fi, err := os.Lstat(path); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("no longer a FIFO: %v %v", fi.Mode(), err)
	}
}

// TestNewOutputReadableByOthers: a new report file gets 0666 less the umask (0644 under
// the usual 022), as a plain create would (its temporary file gave 0600, which left a
// colleague unable to read r.json), and "-" is
// refused with the way to write to standard output, instead of a file named "-".
func TestNewOutputReadableByOthers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.json")
	if err := WriteFile(path, func(w io.Writer) error { _, err := io.WriteString(w, "{}"); return err }); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	old := syscall.Umask(0o022)
	syscall.Umask(old)
	if got, want := info.Mode().Perm(), fs.FileMode(0o666&^old); got != want {
		t.Errorf("a new report file is %v, want %v", got, want)
	}
	t.Chdir(t.TempDir())
	if err := CheckOutput("-"); err == nil || !strings.Contains(err.Error(), "/dev/stdout") {
		t.Errorf(`CheckOutput("-") = %v, want a refusal naming /dev/stdout`, err)
	}
}
