package output

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// File is a report file. A regular file (or a new one) is written atomically: to a
// temporary file in the folder of the file it replaces, renamed onto it by Commit once
// complete, so a reader never sees half a report and a failed run never leaves one behind.
// A symbolic link is written through: the file it leads to is replaced, the link stays. A
// device, a FIFO or a descriptor (/dev/stdout, /dev/fd/N) is written in place as the
// report goes, since a rename would replace it by a regular file. Abort removes the
// temporary file; after Commit it does nothing, so `defer f.Abort()` is always safe.
//
// Nothing waits past an interruption (the end of the context given): see openInPlace.
type File struct {
	path string   // as given, for messages
	dst  string   // the file replaced on Commit (links followed); "" when written in place
	out  *os.File // the temporary file, or the file itself when written in place
	bw   *bufio.Writer
	stop func() bool // ends the watch of the context (in place only)
	done bool
}

// CreateFile starts the report file path. Its folder must exist: a missing one is an
// error matching fs.ErrNotExist, never created. The end of ctx (an interruption) bounds
// how long a FIFO or a device written in place is waited for (see openInPlace).
func CreateFile(ctx context.Context, path string) (*File, error) {
	t, err := locate(path)
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	if t.direct {
		out, stop, err := openInPlace(ctx, t.path, os.O_WRONLY)
		if err != nil {
			return nil, fmt.Errorf("write %s: %w", path, err)
		}
		return &File{path: path, out: out, stop: stop, bw: bufio.NewWriterSize(out, 64<<10)}, nil
	}
	tmp, err := createTemp(filepath.Dir(t.path), "."+filepath.Base(t.path)+".")
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	if t.mode != 0 {
		_ = tmp.Chmod(t.mode) // the replaced file's permissions; best effort
	}
	return &File{path: path, dst: t.path, out: tmp, bw: bufio.NewWriterSize(tmp, 64<<10)}, nil
}

// Write writes to the temporary file (or to the file itself when written in place).
func (f *File) Write(p []byte) (int, error) { return f.bw.Write(p) }

// Path is the output path as given.
func (f *File) Path() string { return f.path }

// Commit flushes, syncs and closes the temporary file and renames it onto its
// destination; a file written in place is flushed and closed.
func (f *File) Commit() error {
	if f.done {
		return nil
	}
	f.done = true
	err := f.bw.Flush()
	if err == nil && f.dst != "" {
		err = f.out.Sync()
	}
	if cerr := f.close(); err == nil {
		err = cerr
	}
	if err == nil && f.dst != "" {
		err = os.Rename(f.out.Name(), f.dst)
	}
	if err != nil {
		if f.dst != "" {
			os.Remove(f.out.Name())
		}
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	return nil
}

// Abort drops the file: the temporary file is removed and the destination is left as it
// was. A file written in place keeps what was written so far.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.close()
	if f.dst != "" {
		os.Remove(f.out.Name())
	}
}

// close closes the file and ends the watch of the context.
func (f *File) close() error {
	if f.stop != nil {
		f.stop()
	}
	return f.out.Close()
}

// maxLinks bounds how many symbolic links an output path may go through (as the kernel's
// own limit does).
const maxLinks = 40

// destination is where an output path leads.
type destination struct {
	path   string      // the file written: the path with its symbolic links followed
	direct bool        // written in place: a device, a FIFO or a descriptor
	mode   fs.FileMode // the permissions of the regular file replaced; 0 for a new file
}

// locate follows path's symbolic links to the file an output replaces or writes in place,
// and refuses what cannot be an output: a folder, a socket, a link loop, a file whose
// folder does not exist (folders are never created).
func locate(path string) (destination, error) {
	if path == "" {
		return destination{}, errors.New("empty path")
	}
	if path == "-" {
		// planrun's stdout carries the summary; a file named "-" is what nobody means
		return destination{}, errors.New(`"-" is not standard output here: write /dev/stdout (or a file name)`)
	}
	p := path
	for hops := 0; ; hops++ {
		if isDescriptor(p) {
			return destination{path: p, direct: true}, nil
		}
		info, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			break
		}
		if err != nil {
			return destination{}, err
		}
		switch m := info.Mode(); {
		case m&fs.ModeSymlink != 0:
			if hops == maxLinks {
				return destination{}, fmt.Errorf("more than %d symbolic links", maxLinks)
			}
			link, err := os.Readlink(p)
			if err != nil {
				return destination{}, err
			}
			if !filepath.IsAbs(link) {
				link = filepath.Join(filepath.Dir(p), link)
			}
			p = link
			continue
		case m.IsDir():
			return destination{}, errors.New("is a folder; give a file name")
		case m.IsRegular():
			return destination{path: p, mode: m.Perm()}, nil
		case m&(fs.ModeDevice|fs.ModeCharDevice|fs.ModeNamedPipe) != 0:
			return destination{path: p, direct: true}, nil
		default:
			return destination{}, fmt.Errorf("is not a file, a device or a FIFO (%v)", m.Type())
		}
	}
	dir := filepath.Dir(p)
	di, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return destination{}, missingFolder{dir}
	case err != nil:
		return destination{}, err
	case !di.IsDir():
		return destination{}, fmt.Errorf("%s is not a folder", dir)
	}
	return destination{path: p}, nil
}

// missingFolder is the error of an output whose folder does not exist; it matches
// fs.ErrNotExist.
type missingFolder struct{ dir string }

func (e missingFolder) Error() string {
	return "folder " + e.dir + " does not exist (planrun does not create it)"
}

// Is makes a missingFolder match fs.ErrNotExist.
func (e missingFolder) Is(target error) bool { return target == fs.ErrNotExist }

// isDescriptor reports whether path names an open descriptor of the process rather than
// a file: /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N.
func isDescriptor(path string) bool {
	_, ok := descriptor(path)
	return ok
}

// descriptor returns the number of the descriptor path names (see isDescriptor).
func descriptor(path string) (int, bool) {
	p := filepath.ToSlash(filepath.Clean(path))
	switch p {
	case "/dev/stdout":
		return 1, true
	case "/dev/stderr":
		return 2, true
	}
	for _, dir := range []string{"/dev/fd/", "/proc/self/fd/", "/proc/thread-self/fd/"} {
		if n, ok := strings.CutPrefix(p, dir); ok && n != "" && strings.Trim(n, "0123456789") == "" {
			fd, err := strconv.Atoi(n)
			return fd, err == nil
		}
	}
	return 0, false
}

// createTemp creates a new file in dir named prefix and random digits, with the
// permissions a plain create gives (0666 less the umask), where os.CreateTemp gives 0600:
// a new report must be readable as any file the user makes.
func createTemp(dir, prefix string) (*os.File, error) {
	for range 100 {
		name := filepath.Join(dir, prefix+strconv.FormatUint(rand.Uint64(), 36))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, fmt.Errorf("no free temporary name in %s", dir)
}

// WriteFile writes path atomically with write (ctx as for CreateFile).
func WriteFile(ctx context.Context, path string, write func(w io.Writer) error) error {
	f, err := CreateFile(ctx, path)
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
// to by every step), creating it when missing. A FIFO or a device there is written in
// place, waited for no longer than ctx allows (see openInPlace).
func AppendFile(ctx context.Context, path string, write func(w io.Writer) error) error {
	flag := os.O_WRONLY | os.O_APPEND | os.O_CREATE
	var f *os.File
	stop := func() bool { return false }
	var err error
	if info, serr := os.Stat(path); isDescriptor(path) || (serr == nil && !info.Mode().IsRegular() && !info.IsDir()) {
		f, stop, err = openInPlace(ctx, path, flag)
	} else {
		f, err = os.OpenFile(path, flag, 0o644)
	}
	if err != nil {
		return err
	}
	defer stop()
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
// path: it leads (through its symbolic links) to a regular file, a new file in an existing
// folder, a device, a FIFO or a descriptor, not to a folder or a missing folder (an error
// matching fs.ErrNotExist); it is not one of protect (compared by resolved path and, when
// both exist, as the same file: links and aliases are seen through); and the folder of a
// file replaced takes a new file. It creates nothing that it does not remove, and opens
// no device or FIFO.
func CheckOutput(path string, protect ...Protected) error {
	dst, err := locate(path)
	if err != nil {
		return err
	}
	info, _ := os.Stat(path)
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
	if dst.direct {
		return nil
	}
	dir := filepath.Dir(dst.path)
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

// EmulatorFileFor is the file where the in-process emulator of --emulator keeps its batch
// jobs beside the state file statePath (the rule of emulator.StateFileFor, which output
// does not import): an output must never replace it.
func EmulatorFileFor(statePath string) string {
	base := strings.TrimSuffix(statePath, filepath.Ext(statePath))
	if filepath.Base(base) != "emulator" {
		base += ".emulator"
	}
	return base + ".json"
}
