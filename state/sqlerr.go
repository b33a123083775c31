package state

import (
	"errors"
	"fmt"

	"modernc.org/sqlite" // also registers the pure-Go "sqlite" driver
)

// Primary SQLite result codes that planrun tells apart (the low byte of an extended code).
const (
	sqliteBusy     = 5  // SQLITE_BUSY
	sqliteReadOnly = 8  // SQLITE_READONLY
	sqliteCorrupt  = 11 // SQLITE_CORRUPT
	sqliteFull     = 13 // SQLITE_FULL
	sqliteNotADB   = 26 // SQLITE_NOTADB
)

// sqliteCode returns the primary result code of a driver error, or 0.
func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() & 0xff
	}
	return 0
}

// isForeign reports whether err says the file's content is not a usable database: not
// SQLite, corrupt, or without the tables planrun expects (a generic SQL error).
func isForeign(err error) bool {
	switch sqliteCode(err) {
	case sqliteCorrupt, sqliteNotADB, 1: // 1: SQLITE_ERROR, e.g. "no such table"
		return true
	}
	return false
}

// classify adds the sentinel of a condition the user can act on to a driver error: no
// space (ErrDiskFull), a read-only file (ErrReadOnly). The driver's own words stay.
func classify(err error) error {
	switch sqliteCode(err) {
	case sqliteFull:
		return fmt.Errorf("%w: %w", ErrDiskFull, err)
	case sqliteReadOnly:
		return fmt.Errorf("%w: %w", ErrReadOnly, err)
	}
	return err
}

// sqlError wraps a driver error of step on the state file, classified.
func (s *Store) sqlError(step string, err error) error {
	return fmt.Errorf("%s %s: %w", step, s.path, classify(err))
}
