package state

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ErrForeignState is returned by Open when the file is not a planrun state file: not SQLite,
// truncated, garbage, or a database without planrun's meta marker. planrun never overwrites
// such a file. Remedy: move the file aside (or pass another --state); the next run rebuilds
// what it needs from the service by reconciling job Names, so nothing is triggered twice.
var ErrForeignState = errors.New("not a planrun state file")

// ErrDiskFull is returned when a write to the state file fails for lack of space.
var ErrDiskFull = errors.New("no space left for the state file")

// Store is the SQLite state file of planrun. Writes go through one writer goroutine that
// group-commits them; it is safe for concurrent use.
type Store struct {
	db   *sql.DB
	path string // as given, for messages
	file string // the file itself: absolute, links resolved
	w    *writer
	// lookupStmt is the statement of Lookup, prepared once: a run looks every request of
	// its plans up (twice), and parsing the query each time cost more than running it.
	lookupStmt *sql.Stmt
	// q are the reads of the file's schema version (always the current one read-write).
	q *queries

	lock  []*os.File // held by Lock until Close
	spare []*os.File // descriptors of the database file, closed only after the database

	closeOnce sync.Once
	closeErr  error
}

// sqliteMagic opens every SQLite 3 database file.
var sqliteMagic = []byte("SQLite format 3\x00")

// Open opens (or creates, with its parent directories) the state file at path for reading
// and writing. A file that exists but is not a planrun state file gives an error matching
// ErrForeignState; a path that cannot hold one (":memory:", an SQLite URI) ErrStatePath; a
// file or folder that cannot be written ErrReadOnly. A file of an older schema version is
// migrated to the current one, in place and in one transaction, under the lock (see Lock):
// while another planrun holds it, the error matches ErrStateInUse.
func Open(path string) (*Store, error) { return open(context.Background(), path, true) }

// OpenContext is Open, with the conversion of an older file stopped when ctx ends (a
// Ctrl-C during the conversion of a large file): it then rolls back, leaves the file as
// it was, and returns an error that wraps ctx's.
func OpenContext(ctx context.Context, path string) (*Store, error) { return open(ctx, path, true) }

// OpenOrRead opens the state file at path as Open does, except that a file of an older
// schema version is not migrated but read as it is: its writes say ErrReadOnly, as those
// of OpenReadOnly. The commands that only read (status, results) leave an older file alone.
func OpenOrRead(path string) (*Store, error) { return open(context.Background(), path, false) }

// open is OpenContext; an older file is migrated when migrate is set, else read as it is.
func open(mctx context.Context, path string, migrate bool) (*Store, error) {
	file, err := resolve(path, true)
	if err != nil {
		return nil, err
	}
	verify, err := checkHeader(path, file)
	if err != nil {
		return nil, err
	}
	if n := linkCount(file); n > 1 {
		return nil, fmt.Errorf("state %s: %w: the file has %d names (hard links), and SQLite keeps its write-ahead log beside the name it is opened by, "+
			"so writes made under one name are lost or replayed stale under another; remove the other names (or copy the file)", path, ErrStatePath, n)
	}
	if err := checkWritable(path, file); err != nil {
		return nil, err
	}
	for _, j := range []string{file + "-wal", file + "-shm"} {
		if fi, err := os.Lstat(j); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return nil, fmt.Errorf("state %s: %s %w: planrun does not write through links beside its state; remove it", path, j, ErrSymlink)
		}
	}
	// journal_mode is set only once the file is known to be ours: it rewrites the header.
	dsn := file + "?_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open state %s: %w", path, err)
	}
	db.SetMaxOpenConns(4)
	s := &Store{db: db, path: path, file: file}
	// An existing file of either version is checked with a plain read first: the write
	// transaction of init would wait for a planrun that migrates it (one long transaction,
	// then a compaction) until the busy timeout, and fail with "database is locked".
	ctx := context.Background()
	checked := s.check(ctx, db) == nil
	switch {
	case checked && s.q == v1Queries:
		// Read as it is, or migrated under the lock (which says at once when another
		// planrun holds it). A read sees the file as it was before a migration commits.
		err = errOlderSchema
	case checked && s.hasAdditions(ctx):
		err = nil // nothing to write: no write transaction either
	default:
		err = s.init(ctx, false)
	}
	readOnly := false
	if errors.Is(err, errOlderSchema) {
		// Read as it is (the store has no writer: writes say ErrReadOnly), or migrated.
		if readOnly, err = !migrate, nil; migrate {
			err = s.migrateLocked(mctx)
		}
	}
	if err == nil && !readOnly {
		err = s.setWAL()
	}
	if err == nil && verify {
		err = s.quickCheck(context.Background())
	}
	if err == nil {
		if s.lookupStmt, err = db.Prepare(s.q.lookup); err != nil {
			err = s.sqlError("open state", err)
		}
	}
	if err != nil {
		db.Close()
		s.unlock() // the descriptors the migration's lock opened
		return nil, err
	}
	if !readOnly {
		s.w = startWriter(db)
	}
	return s, nil
}

// setWAL puts the database in write-ahead-log mode. The switch needs the file to itself:
// when another process opens the same new state at the same instant, it is tried again
// for up to the busy timeout.
func (s *Store) setWAL() error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		var mode string
		err := s.db.QueryRow(`PRAGMA journal_mode=WAL`).Scan(&mode)
		if err == nil && strings.EqualFold(mode, "wal") {
			return nil
		}
		if (err != nil && sqliteCode(err) != sqliteBusy) || time.Now().After(deadline) {
			if err == nil {
				err = fmt.Errorf("journal mode stays %q", mode)
			}
			return s.sqlError("open state", fmt.Errorf("set WAL mode: %w", err))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// OpenReadOnly opens the existing state file at path for reading only (`planrun status`):
// it works on a read-only file or folder, and while a run writes the file. Writes to the
// store return ErrReadOnly.
func OpenReadOnly(path string) (*Store, error) {
	file, err := resolve(path, false)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(file); err != nil {
		return nil, fmt.Errorf("open state %s: %w", path, err)
	}
	verify, err := checkHeader(path, file)
	if err != nil {
		return nil, err
	}
	s, err := openRO(path, file, "mode=ro")
	if err != nil && !fileExists(file+"-wal") {
		// Without a -shm file beside it and no folder to make one in, SQLite reads a
		// write-ahead-log database only as immutable; with no -wal file there is no log
		// to miss, and no writer (it could not make one either).
		if s2, err2 := openRO(path, file, "mode=ro&immutable=1"); err2 == nil {
			return s2, nil
		}
	}
	if err == nil && verify {
		if err := s.quickCheck(context.Background()); err != nil {
			s.db.Close()
			return nil, err
		}
	}
	return s, err
}

// openRO opens file read-only with the URI parameters params.
func openRO(path, file, params string) (*Store, error) {
	r := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	db, err := sql.Open("sqlite", "file:"+r.Replace(filepath.ToSlash(file))+"?"+params+"&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, fmt.Errorf("open state %s: %w", path, err)
	}
	db.SetMaxOpenConns(4)
	s := &Store{db: db, path: path, file: file}
	ctx := context.Background()
	if err := s.check(ctx, s.db); err != nil {
		db.Close()
		return nil, err
	}
	if s.lookupStmt, err = db.Prepare(s.q.lookup); err != nil {
		db.Close()
		return nil, s.sqlError("open state", err)
	}
	return s, nil
}

// fileExists reports whether path names an existing file.
func fileExists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// checkHeader rejects files that cannot be a complete SQLite database before the driver
// touches them (the driver would otherwise report odd errors or treat garbage as empty).
// verify is true for a main file shorter than its header says but with a write-ahead log
// beside it: the caller runs quickCheck once the database is open.
func checkHeader(path, file string) (verify bool, err error) {
	f, err := os.Open(file)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("open state %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return false, fmt.Errorf("stat state %s: %w", path, err)
	}
	if st.Size() == 0 {
		return false, nil // an empty file is a new database
	}
	hdr := make([]byte, 100)
	if _, err := io.ReadFull(f, hdr); err != nil || !bytes.Equal(hdr[:16], sqliteMagic) {
		return false, fmt.Errorf("state %s: %w (not an SQLite database); move it aside to start afresh", path, ErrForeignState)
	}
	pageSize := int64(binary.BigEndian.Uint16(hdr[16:18]))
	if pageSize == 1 {
		pageSize = 65536
	}
	pages := int64(binary.BigEndian.Uint32(hdr[28:32]))
	if pageSize < 512 || pageSize&(pageSize-1) != 0 {
		return false, fmt.Errorf("state %s: %w (not an SQLite database: page size %d); move it aside to start afresh", path, ErrForeignState, pageSize)
	}
	if st.Size()%pageSize != 0 || st.Size() < pages*pageSize {
		// A full disk or a kill during a checkpoint leaves the main file shorter than its
		// header says while the write-ahead log still holds the pages: SQLite replays
		// them on open. Accept such a file only with a log beside it, and have the caller
		// verify it once open.
		if hasWAL(file) {
			return true, nil
		}
		return false, fmt.Errorf("state %s: %w (truncated SQLite database); move it aside to start afresh", path, ErrForeignState)
	}
	return false, nil
}

// walMagic are the two values that open a write-ahead-log file (big- or little-endian
// checksums).
var walMagic = [2]uint32{0x377f0682, 0x377f0683}

// walHeaderSize is the size of a write-ahead-log file's header; frames follow it.
const walHeaderSize = 32

// hasWAL reports whether a write-ahead log with at least one frame lies beside file.
func hasWAL(file string) bool {
	f, err := os.Open(file + "-wal")
	if err != nil {
		return false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() <= walHeaderSize {
		return false
	}
	hdr := make([]byte, walHeaderSize)
	if _, err := io.ReadFull(f, hdr); err != nil {
		return false
	}
	m := binary.BigEndian.Uint32(hdr[:4])
	return m == walMagic[0] || m == walMagic[1]
}

// quickCheck runs SQLite's quick_check on a state file that was accepted only thanks to
// its write-ahead log, so a file damaged beyond what the log repairs is refused now
// rather than mid-run.
func (s *Store) quickCheck(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, `PRAGMA quick_check`)
	if err != nil {
		return s.foreign(err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return s.sqlError("check state", err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return s.foreign(err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("state %s: %w (damaged SQLite database: %s); move it aside to start afresh", s.path, ErrForeignState, strings.Join(problems, "; "))
	}
	return nil
}

// init creates the tables in a new database and checks the marker of an existing one. It
// runs in one write transaction (BEGIN IMMEDIATE), so that two runs starting on a new
// state at the same instant create it one after the other: the second finds it made.
func (s *Store) init(ctx context.Context, migrate bool) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.foreign(err)
	}
	defer tx.Rollback()
	var tables int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master`).Scan(&tables); err != nil {
		return s.foreign(err)
	}
	if tables != 0 {
		if err := s.check(ctx, tx); err != nil {
			return err
		}
		if s.q == v1Queries {
			if !migrate {
				return errOlderSchema
			}
			if err := s.migrateV1(ctx, tx); err != nil {
				return err
			}
			s.q = v2Queries
		}
	} else {
		s.q = v2Queries
		if _, err := tx.ExecContext(ctx, schemaSQL); err != nil {
			return s.sqlError("initialise state", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('format', ?), ('schema_version', ?)`,
			stateFormat, stateSchemaVersion); err != nil {
			return s.sqlError("initialise state", err)
		}
	}
	if err := s.migrate(ctx, tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return s.sqlError("initialise state", err)
	}
	return nil
}

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// check verifies the marker and schema version of an existing state file and sets the
// reads of its version.
func (s *Store) check(ctx context.Context, q querier) error {
	var format, version sql.NullString
	err := q.QueryRowContext(ctx, `SELECT
		(SELECT value FROM meta WHERE key='format'),
		(SELECT value FROM meta WHERE key='schema_version')`).Scan(&format, &version)
	if err != nil && !isForeign(err) {
		return s.sqlError("read state", err)
	}
	if err != nil || format.String != stateFormat {
		return fmt.Errorf("state %s: %w (no %q marker); move it aside to start afresh", s.path, ErrForeignState, stateFormat)
	}
	tables := []string{"requests", "plans"}
	switch version.String {
	case stateSchemaVersion:
		s.q = v2Queries
		tables = append(tables, "request_plans", "request_groups")
	case "1":
		s.q = v1Queries // migrated by a read-write open, read as it is otherwise
	default:
		if n, err := strconv.Atoi(version.String); err == nil && n > 2 {
			return fmt.Errorf("state %s: %w (schema version %s, written by a newer planrun; this planrun reads versions 1 and %s): upgrade planrun, or move the file aside to start afresh",
				s.path, ErrForeignState, version.String, stateSchemaVersion)
		}
		return fmt.Errorf("state %s: %w (schema version %q, this planrun reads versions 1 and %s); move it aside to start afresh", s.path, ErrForeignState, version.String, stateSchemaVersion)
	}
	// Touch every table once so a damaged file fails now rather than mid-run.
	for _, t := range tables {
		var n int
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+t+` LIMIT 1)`).Scan(&n); err != nil {
			return s.foreign(err)
		}
	}
	return nil
}

// foreign turns a driver error on a damaged or unrelated file into ErrForeignState; an
// error that says nothing about the file's content (no space, read-only, busy) stays itself.
func (s *Store) foreign(err error) error {
	if !isForeign(err) {
		return s.sqlError("read state", err)
	}
	return fmt.Errorf("state %s: %w (%v); move it aside to start afresh", s.path, ErrForeignState, err)
}

// Path returns the state file itself: absolute, with symbolic links resolved. Its companion
// files (lock, heartbeat) are named after it, so every path to one database shares them.
func (s *Store) Path() string { return s.file }

// Flush waits until every write queued so far is committed and returns the first write error.
func (s *Store) Flush(ctx context.Context) error {
	if s.w == nil {
		return nil
	}
	return s.w.sync(ctx, nil)
}

// Close flushes pending writes and closes the database.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		var werr error
		if s.w != nil {
			werr = s.w.close()
		}
		serr := s.lookupStmt.Close()
		cerr := s.db.Close()
		// The lock's descriptors of the database file are closed only now: closing one
		// while SQLite has the file open would drop SQLite's own locks on it.
		s.closeErr = errors.Join(werr, serr, cerr, s.unlock())
		if s.closeErr != nil {
			s.closeErr = fmt.Errorf("close state %s: %w", s.path, s.closeErr)
		}
	})
	return s.closeErr
}
