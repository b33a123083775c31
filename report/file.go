package report

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/planrun/planrun/executor"
)

// File is a report file written atomically: to a temporary file beside its path, renamed
// into place by Commit once complete, so a reader never sees half a report and a failed
// run never leaves one behind. Abort removes the temporary file; after Commit it does
// nothing, so `defer f.Abort()` is always safe.
type File struct {
	path string
	tmp  *os.File
	bw   *bufio.Writer
	done bool
}

// CreateFile starts the report file path, creating its folder when missing.
func CreateFile(path string) (*File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return &File{path: path, tmp: tmp, bw: bufio.NewWriterSize(tmp, 64<<10)}, nil
}

// Write writes to the temporary file.
func (f *File) Write(p []byte) (int, error) { return f.bw.Write(p) }

// Path is where the file goes on Commit.
func (f *File) Path() string { return f.path }

// Commit flushes, syncs and closes the temporary file and renames it to its path.
func (f *File) Commit() error {
	if f.done {
		return nil
	}
	f.done = true
	err := f.bw.Flush()
	if err == nil {
		err = f.tmp.Sync()
	}
	if cerr := f.tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.tmp.Name(), f.path)
	}
	if err != nil {
		os.Remove(f.tmp.Name())
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	return nil
}

// Abort drops the file: the temporary file is removed and path is left as it was.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.tmp.Close()
	os.Remove(f.tmp.Name())
}

// WriteFile writes path atomically with write.
func WriteFile(path string, write func(w io.Writer) error) error {
	f, err := CreateFile(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	if err := write(f); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Commit()
}

// AppendFile appends what write writes to path (GitHub's $GITHUB_STEP_SUMMARY is appended
// to by every step), creating it when missing.
func AppendFile(path string, write func(w io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	werr := write(bw)
	if err := bw.Flush(); werr == nil {
		werr = err
	}
	if err := f.Close(); werr == nil {
		werr = err
	}
	return werr
}

// Protected is a file that an output must never replace, with what it is for the message.
type Protected struct {
	Path string
	What string // e.g. "the state file", "a plan file"
}

// CheckOutput checks, before anything is sent, that a report can later be written to
// path: it is not a folder or another kind of special file, not one of protect (compared
// by resolved path and, when both exist, as the same file: links and aliases are seen
// through), and its folder (or the nearest existing parent, since CreateFile makes the
// rest) takes a new file. It creates nothing that it does not remove.
func CheckOutput(path string, protect ...Protected) error {
	if path == "" {
		return errors.New("empty path")
	}
	info, err := os.Stat(path)
	switch {
	case err == nil && info.IsDir():
		return errors.New("is a folder; give a file name")
	case err == nil && !info.Mode().IsRegular():
		return errors.New("is not a regular file")
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return err
	}
	abs := resolve(path)
	for _, p := range protect {
		if resolve(p.Path) == abs {
			return fmt.Errorf("is %s; choose another file", p.What)
		}
		if info != nil {
			if pi, err := os.Stat(p.Path); err == nil && os.SameFile(info, pi) {
				return fmt.Errorf("is %s; choose another file", p.What)
			}
		}
	}
	dir := filepath.Dir(path)
	for {
		di, err := os.Stat(dir)
		if err == nil {
			if !di.IsDir() {
				return fmt.Errorf("%s is not a folder", dir)
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return err
		}
		dir = parent
	}
	probe, err := os.CreateTemp(dir, ".planrun-probe-*")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("cannot write in %s: %w", dir, err)
	}
	probe.Close()
	os.Remove(probe.Name())
	return nil
}

// resolve returns path absolute, with the symbolic links of its folder resolved (the file
// itself may not exist yet), and of the file too when it does.
func resolve(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.Clean(path)
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		return r
	}
	if d, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		return filepath.Join(d, filepath.Base(abs))
	}
	return abs
}

// FileSink is a Sink that renders into a report File: Flush commits the file (renamed into
// place whole), Abort drops it. An error of any event makes Flush drop the file and say so.
type FileSink struct {
	Sink
	f   *File
	err error
}

// NewFileSink starts the report file path in format.
func NewFileSink(format, path string, opts ...Option) (*FileSink, error) {
	f, err := CreateFile(path)
	if err != nil {
		return nil, err
	}
	s, err := New(format, f, opts...)
	if err != nil {
		f.Abort()
		return nil, err
	}
	return &FileSink{Sink: s, f: f}, nil
}

// Result passes r on unless an earlier event failed (the file is dropped at Flush anyway).
func (s *FileSink) Result(r executor.Result) error {
	if s.err == nil {
		s.err = s.Sink.Result(r)
	}
	return s.err
}

// RunDone passes the end of the run on unless an earlier event failed.
func (s *FileSink) RunDone(sum *executor.Summary, wait *executor.WaitSummary, meta Meta) error {
	if s.err == nil {
		s.err = s.Sink.RunDone(sum, wait, meta)
	}
	return s.err
}

// Flush finishes the file and moves it into place, or drops it after an error.
func (s *FileSink) Flush() error {
	if s.err == nil {
		s.err = s.Sink.Flush()
	}
	if s.err != nil {
		s.f.Abort()
		return fmt.Errorf("write %s: %w", s.f.Path(), s.err)
	}
	return s.f.Commit()
}

// Abort drops the file; after Flush it does nothing.
func (s *FileSink) Abort() { s.f.Abort() }

// OpenRun opens where a run renders: w in format, and the JSON report at reportPath and
// the JUnit report at junitPath when they are set, written whole on Flush or not at all
// (abort drops them). Colour (WithColor) applies to w only.
func OpenRun(format string, w io.Writer, reportPath, junitPath string, opts ...Option) (sink Sink, abort func(), err error) {
	stdout, err := New(format, w, opts...)
	if err != nil {
		return nil, nil, err
	}
	opts = append(opts, WithColor(false))
	sinks, files := []Sink{stdout}, []*FileSink{}
	abort = func() {
		for _, f := range files {
			f.Abort()
		}
	}
	for _, out := range []struct{ path, format string }{{reportPath, "json"}, {junitPath, "junit"}} {
		if out.path != "" {
			file, err := NewFileSink(out.format, out.path, opts...)
			if err != nil {
				abort()
				return nil, nil, err
			}
			files, sinks = append(files, file), append(sinks, file)
		}
	}
	return Multi(sinks...), abort, nil
}
