package state

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// ErrForeignState is returned by Open when the file is not a planrun state file: not SQLite,
// truncated, garbage, or a database without planrun's meta marker. planrun never overwrites
// such a file. Remedy: move the file aside (or pass another --state); the next run rebuilds
// what it needs from the service by reconciling job Names, so nothing is triggered twice.
var ErrForeignState = errors.New("not a planrun state file")

// Store is the SQLite state file of planrun. Writes go through one writer goroutine that
// group-commits them; it is safe for concurrent use.
type Store struct {
	db   *sql.DB
	path string
	w    *writer
	// lookupStmt is the statement of Lookup, prepared once: a run looks every request of
	// its plans up (twice), and parsing the query each time cost more than running it.
	lookupStmt *sql.Stmt

	lock *os.File // held by Lock until Close

	closeOnce sync.Once
	closeErr  error
}

// sqliteMagic opens every SQLite 3 database file.
var sqliteMagic = []byte("SQLite format 3\x00")

// Open opens (or creates, with its parent directories) the state file at path. A file
// that exists but is not a planrun state file gives an error matching ErrForeignState.
func Open(path string) (*Store, error) {
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("open state %s: path must not contain '?' or '#'", path)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("create state directory: %w", err)
		}
	}
	if err := checkHeader(path); err != nil {
		return nil, err
	}
	// journal_mode is set only once the file is known to be ours: it rewrites the header.
	dsn := path + "?_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open state %s: %w", path, err)
	}
	db.SetMaxOpenConns(4)
	s := &Store{db: db, path: path}
	if err := s.init(context.Background()); err != nil {
		db.Close()
		return nil, err
	}
	if _, err := db.Exec(`PRAGMA journal_mode=WAL`); err != nil {
		db.Close()
		return nil, fmt.Errorf("open state %s: set WAL mode: %w", path, err)
	}
	if s.lookupStmt, err = db.Prepare(lookupSQL); err != nil {
		db.Close()
		return nil, fmt.Errorf("open state %s: %w", path, err)
	}
	s.w = startWriter(db)
	return s, nil
}

// checkHeader rejects files that cannot be a complete SQLite database before the driver
// touches them (the driver would otherwise report odd errors or treat garbage as empty).
func checkHeader(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open state %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("stat state %s: %w", path, err)
	}
	if st.Size() == 0 {
		return nil // an empty file is a new database
	}
	hdr := make([]byte, 100)
	if _, err := io.ReadFull(f, hdr); err != nil || !bytes.Equal(hdr[:16], sqliteMagic) {
		return fmt.Errorf("%s: %w (not an SQLite database); move it aside to start afresh", path, ErrForeignState)
	}
	pageSize := int64(binary.BigEndian.Uint16(hdr[16:18]))
	if pageSize == 1 {
		pageSize = 65536
	}
	pages := int64(binary.BigEndian.Uint32(hdr[28:32]))
	if pageSize < 512 || st.Size()%pageSize != 0 || st.Size() < pages*pageSize {
		return fmt.Errorf("%s: %w (truncated SQLite database); move it aside to start afresh", path, ErrForeignState)
	}
	return nil
}

// init creates the tables in a new database and checks the marker of an existing one.
func (s *Store) init(ctx context.Context) error {
	var tables int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master`).Scan(&tables); err != nil {
		return s.foreign(err)
	}
	if tables == 0 {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("initialise state %s: %w", s.path, err)
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(ctx, schemaSQL); err != nil {
			return fmt.Errorf("initialise state %s: %w", s.path, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('format', ?), ('schema_version', ?)`,
			stateFormat, stateSchemaVersion); err != nil {
			return fmt.Errorf("initialise state %s: %w", s.path, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("initialise state %s: %w", s.path, err)
		}
		return nil
	}
	var format, version string
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT value FROM meta WHERE key='format'),
		(SELECT value FROM meta WHERE key='schema_version')`).Scan(&format, &version)
	if err != nil || format != stateFormat {
		return fmt.Errorf("%s: %w (no %q marker); move it aside to start afresh", s.path, ErrForeignState, stateFormat)
	}
	if version != stateSchemaVersion {
		return fmt.Errorf("%s: %w (schema version %s, this planrun reads %s): use the planrun that wrote it, or move the file aside to start afresh", s.path, ErrForeignState, version, stateSchemaVersion)
	}
	// Touch every table once so a damaged file fails now rather than mid-run.
	for _, t := range []string{"requests", "plans"} {
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+t+` LIMIT 1)`).Scan(&n); err != nil {
			return s.foreign(err)
		}
	}
	return nil
}

// foreign turns a driver error on a damaged or unrelated file into ErrForeignState.
func (s *Store) foreign(err error) error {
	return fmt.Errorf("%s: %w (%v); move it aside to start afresh", s.path, ErrForeignState, err)
}

// Path returns the file the store was opened from.
func (s *Store) Path() string { return s.path }

// Flush waits until every write queued so far is committed and returns the first write error.
func (s *Store) Flush(ctx context.Context) error {
	return s.w.sync(ctx, nil)
}

// Close flushes pending writes and closes the database.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		werr := s.w.close()
		serr := s.lookupStmt.Close()
		cerr := s.db.Close()
		s.closeErr = errors.Join(werr, serr, cerr, s.unlock())
		if s.closeErr != nil {
			s.closeErr = fmt.Errorf("close state %s: %w", s.path, s.closeErr)
		}
	})
	return s.closeErr
}
