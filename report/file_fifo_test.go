//go:build unix

package report

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
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
