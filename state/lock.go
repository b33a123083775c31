package state

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// ErrStateInUse is returned by Lock when another process holds the state file's lock.
var ErrStateInUse = errors.New("state file in use by another planrun")

// Lock takes the state file's exclusive lock for the life of the Store, so that two planrun
// processes never run or cancel from one state at once: both would reconcile before either
// sent, and could trigger a request twice. Reading (`planrun status`) needs no lock. The lock
// goes with the process, also on kill -9.
//
// The lock is taken on the database file itself (its inode, see lockInode), so a second
// path to the same file (a symbolic link, a hard link) meets it; and, as earlier planruns
// did, on the file <state>.lock beside the file the path resolves to, which names the holder.
func (s *Store) Lock() error {
	if s.w == nil {
		return fmt.Errorf("lock state %s: %w: opened for reading only", s.path, ErrReadOnly)
	}
	return s.lockFiles()
}

// lockFiles takes the locks of Lock.
func (s *Store) lockFiles() error {
	var db *os.File
	if lockInode {
		var err error
		if db, err = os.Open(s.file); err != nil {
			return fmt.Errorf("lock state %s: %w", s.path, err)
		}
		// Closed with the store only: closing a descriptor of the database file while
		// SQLite has it open would drop SQLite's own (POSIX) locks on it.
		s.spare = append(s.spare, db)
		if err := lockFile(db); err != nil {
			return s.lockError(err)
		}
	}
	f, err := openCompanion(s.file+".lock", os.O_RDWR|os.O_CREATE)
	if err == nil {
		err = lockFile(f)
		if err != nil {
			f.Close()
		}
	}
	if err != nil {
		if db != nil {
			_ = unlockFile(db)
		}
		return s.lockError(err)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	s.lock = []*os.File{f}
	return nil
}

// lockError says why Lock failed: held by another process (ErrStateInUse), or another error.
func (s *Store) lockError(err error) error {
	if errors.Is(err, errLocked) {
		return fmt.Errorf("state %s: %w%s: wait for it to end, or use another --state", s.path, ErrStateInUse, readHolder(s.file+".lock"))
	}
	return fmt.Errorf("lock state %s: %w", s.path, err)
}

// readHolder names the process that holds the lock, when the lock file says.
func readHolder(path string) string {
	f, err := openCompanion(path, os.O_RDONLY)
	if err != nil {
		return ""
	}
	defer f.Close()
	b := make([]byte, 32)
	n, _ := f.ReadAt(b, 0)
	if pid := strings.TrimSpace(string(b[:n])); pid != "" {
		return " (pid " + pid + ")"
	}
	return ""
}

// release gives the lock taken by lockFiles back before Close (the migration of an older
// file holds it while it runs). The descriptors of the database file stay open until Close.
func (s *Store) release() {
	for _, f := range s.lock {
		_ = unlockFile(f)
		f.Close()
	}
	for _, f := range s.spare {
		_ = unlockFile(f)
	}
	s.lock = nil
}

// unlock releases the lock taken by Lock, if any, and closes the descriptors of the
// database file Lock opened. The database is closed by then.
func (s *Store) unlock() error {
	var errs []error
	for _, f := range append(s.lock, s.spare...) {
		if err := f.Close(); err != nil && !errors.Is(err, os.ErrClosed) {
			errs = append(errs, err) // closing the descriptor releases the lock
		}
	}
	s.lock, s.spare = nil, nil
	return errors.Join(errs...)
}
