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

// Lock takes the state file's exclusive lock (the file <state>.lock beside it) for the life
// of the Store, so that two planrun processes never run or cancel from one state at once:
// both would reconcile before either sent, and could trigger a request twice. Reading
// (`planrun status`) needs no lock. The lock goes with the process, also on kill -9.
func (s *Store) Lock() error {
	path := s.path + ".lock"
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("lock state %s: %w", s.path, err)
	}
	if err := lockFile(f); err != nil {
		holder := readHolder(f)
		f.Close()
		if errors.Is(err, errLocked) {
			return fmt.Errorf("%s: %w%s: wait for it to end, or use another --state", s.path, ErrStateInUse, holder)
		}
		return fmt.Errorf("lock state %s: %w", s.path, err)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	s.lock = f
	return nil
}

// readHolder names the process that holds the lock, when the lock file says.
func readHolder(f *os.File) string {
	b := make([]byte, 32)
	n, _ := f.ReadAt(b, 0)
	if pid := strings.TrimSpace(string(b[:n])); pid != "" {
		return " (pid " + pid + ")"
	}
	return ""
}

// unlock releases the lock taken by Lock, if any.
func (s *Store) unlock() error {
	if s.lock == nil {
		return nil
	}
	err := s.lock.Close() // closing the descriptor releases the lock
	s.lock = nil
	return err
}
