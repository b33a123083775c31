package state

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ErrStatePath is returned by Open for a path that names no file planrun can keep state
// in: an empty path, ":memory:" (the state would vanish with the process, and every
// request would look new to the next run), an SQLite URI ("file:..."), or a path with
// '?' or '#'.
var ErrStatePath = errors.New("not a state file path")

// ErrReadOnly is returned by Open when the state file, or the folder that must hold its
// companion files, cannot be written. OpenReadOnly can still read it.
var ErrReadOnly = errors.New("state file is read-only")

// ErrSymlink is returned when a companion file of the state (its lock or heartbeat file)
// is a symbolic link: planrun writes those files and never follows a link planted there.
var ErrSymlink = errors.New("is a symbolic link")

// checkPath refuses the paths ErrStatePath describes.
func checkPath(path string) error {
	switch {
	case path == "":
		return fmt.Errorf("state: %w: the path is empty", ErrStatePath)
	case path == ":memory:" || strings.HasPrefix(path, ":memory:"):
		return fmt.Errorf("state %s: %w: an in-memory database keeps nothing for the next run; name a file", path, ErrStatePath)
	case len(path) >= 5 && strings.EqualFold(path[:5], "file:"):
		return fmt.Errorf("state %s: %w: SQLite URIs are not accepted; name the file itself (e.g. ./%s)", path, ErrStatePath, path)
	case strings.ContainsAny(path, "?#"):
		return fmt.Errorf("state %s: %w: the path must not contain '?' or '#'", path, ErrStatePath)
	}
	return nil
}

// resolve returns the file that path names: absolute, with every symbolic link resolved
// (of its folders and of the file itself), so that one database reached through two paths
// has one lock, one heartbeat and one write-ahead log. With create, missing folders are made.
func resolve(path string, create bool) (string, error) {
	if err := checkPath(path); err != nil {
		return "", err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("state %s: %w", path, err)
	}
	dir, base := filepath.Split(abs)
	if create {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			if isReadOnly(err) {
				return "", fmt.Errorf("state %s: %w: cannot create its folder: %w", path, ErrReadOnly, err)
			}
			return "", fmt.Errorf("create state directory: %w", err)
		}
	}
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", fmt.Errorf("state %s: %w", path, err)
	}
	file := filepath.Join(realDir, base)
	if fi, err := os.Lstat(file); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		target, err := filepath.EvalSymlinks(file)
		if err != nil {
			return "", fmt.Errorf("state %s: a symbolic link to a missing file: %w", path, err)
		}
		file = target
	}
	if strings.ContainsAny(file, "?#") {
		return "", fmt.Errorf("state %s: %w: it resolves to %s, with '?' or '#'", path, ErrStatePath, file)
	}
	if fi, err := os.Stat(file); err == nil && !fi.Mode().IsRegular() {
		return "", fmt.Errorf("state %s: %w: not a regular file", path, ErrStatePath)
	}
	return file, nil
}

// checkWritable returns an error matching ErrReadOnly when the state file, or its folder
// (where SQLite keeps the -wal and -shm files beside it), cannot be written.
func checkWritable(name, file string) error {
	if f, err := os.OpenFile(file, os.O_RDWR, 0); err == nil {
		f.Close()
	} else if isReadOnly(err) {
		return fmt.Errorf("state %s: %w (%v); planrun status can still read it", name, ErrReadOnly, err)
	}
	dir := filepath.Dir(file)
	f, err := os.CreateTemp(dir, ".planrun-probe-*")
	if err != nil {
		if isReadOnly(err) {
			hint := ""
			if _, serr := os.Stat(file); serr == nil { // a file to read: status can
				hint = "; planrun status can still read it"
			}
			return fmt.Errorf("state %s: %w: its folder %s cannot be written (%v), and SQLite keeps its journal there%s",
				name, ErrReadOnly, dir, err, hint)
		}
		return fmt.Errorf("state %s: %w", name, err)
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// isReadOnly reports whether err says a file or folder cannot be written.
func isReadOnly(err error) bool {
	return errors.Is(err, fs.ErrPermission) || isErofs(err)
}

// openCompanion opens a companion file of the state (lock, heartbeat) without following a
// symbolic link in its place: a link planted there would have planrun write to its target.
func openCompanion(path string, flag int) (*os.File, error) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return nil, fmt.Errorf("%s %w: planrun does not write through links beside its state; remove it", path, ErrSymlink)
	}
	f, err := os.OpenFile(path, flag|oNoFollow, 0o644)
	if err != nil && isLoop(err) {
		return nil, fmt.Errorf("%s %w: planrun does not write through links beside its state; remove it", path, ErrSymlink)
	}
	return f, err
}
