//go:build unix

package output

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
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
	if err := WriteFile(context.Background(), path, func(w io.Writer) error { _, err := io.WriteString(w, "{}"); return err }); err != nil {
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

// TestFIFOWithoutReaderHonoursTheInterruption is issue 23's FIFO hole: an output that is a
// FIFO nobody reads (--report, --results, --junit, --html, the step summary) waits for a
// reader only until the interruption, then fails with ErrNoReader; a reader that comes in
// time gets the report.
func TestFIFOWithoutReaderHonoursTheInterruption(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	opens := map[string]func(ctx context.Context) error{
		"CreateFile": func(ctx context.Context) error {
			f, err := CreateFile(ctx, path)
			if err == nil {
				f.Abort()
			}
			return err
		},
		"WriteFile":  func(ctx context.Context) error { return WriteFile(ctx, path, func(io.Writer) error { return nil }) },
		"AppendFile": func(ctx context.Context) error { return AppendFile(ctx, path, func(io.Writer) error { return nil }) },
	}
	for name, open := range opens {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- open(ctx) }()
		cancel() // the first Ctrl-C or SIGTERM
		if err := waitFor(t, done); !errors.Is(err, ErrNoReader) || !errors.Is(err, context.Canceled) {
			t.Errorf("%s of a FIFO without a reader, interrupted: %v, want ErrNoReader and context.Canceled", name, err)
		}
	}
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(path)
		if err != nil {
			got <- err.Error()
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- string(b)
	}()
	if err := WriteFile(context.Background(), path, func(w io.Writer) error { _, err := io.WriteString(w, "late reader"); return err }); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "late reader" {
		t.Errorf("reader got %q", s)
	}
}

// TestFIFOWhoseReaderStopsReadingEnds: once interrupted, a write to a FIFO whose reader
// does not read fails after InterruptGrace instead of blocking for ever.
func TestFIFOWhoseReaderStopsReadingEnds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	r, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0) // a reader that never reads
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	old := InterruptGrace
	InterruptGrace = 0
	defer func() { InterruptGrace = old }()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- WriteFile(ctx, path, func(w io.Writer) error {
			_, err := w.Write(make([]byte, 4<<20)) // far beyond what the pipe holds
			return err
		})
	}()
	cancel()
	if err := waitFor(t, done); err == nil {
		t.Error("a report nobody reads was written whole")
	}
}

// waitFor returns what done gives, failing the test if it never comes (a hang).
func waitFor(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(time.Minute):
		t.Fatal("still waiting a minute after the interruption")
		return nil
	}
}
