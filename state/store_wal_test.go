package state

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// crashCopy makes a planrun state whose latest writes are only in its write-ahead log, and
// copies the main file and the log while the writer still holds them: what a kill (or a
// full disk) leaves behind. It returns the copy's path.
func crashCopy(t *testing.T, rows int) string {
	t.Helper()
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	s, err := Open(live)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", live)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`PRAGMA wal_autocheckpoint=0`); err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		if _, err := db.Exec(`INSERT INTO meta (key, value) VALUES (?, ?)`, fmt.Sprintf("pad-%d", i), strings.Repeat("x", 400)); err != nil {
			t.Fatal(err)
		}
	}
	crash := filepath.Join(t.TempDir(), "state.db")
	for _, suffix := range []string{"", "-wal"} {
		data, err := os.ReadFile(live + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(crash+suffix, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return crash
}

// shorten makes the main file shorter than its header says: the header claims extra
// pages, as when a checkpoint wrote page 1 and the disk filled (or the process died)
// before the rest reached the file.
func shorten(t *testing.T, path string, extra uint32) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pages := binary.BigEndian.Uint32(data[28:32])
	binary.BigEndian.PutUint32(data[28:32], pages+extra)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestStateShorterThanHeaderWithLogOpens is issue 23's full disk: a state whose main file
// is shorter than its header says, with the pages in the write-ahead log beside it, opens
// (read-write and read-only) with every row, instead of being called truncated.
func TestStateShorterThanHeaderWithLogOpens(t *testing.T) {
	path := crashCopy(t, 300)
	shorten(t, path, 40)
	if _, err := checkHeader(path, path); err != nil {
		t.Fatalf("header check with the log beside it: %v", err)
	}
	ro, err := OpenReadOnly(path)
	if err != nil {
		t.Fatalf("open read-only: %v", err)
	}
	ro.Close()
	s, err := Open(path)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer s.Close()
	var n int
	if err := s.db.QueryRowContext(context.Background(), `SELECT count(*) FROM meta WHERE key LIKE 'pad-%'`).Scan(&n); err != nil || n != 300 {
		t.Errorf("rows after the log was replayed: %d, %v; want 300", n, err)
	}
}

// TestStateShorterThanHeaderWithoutLogRefused keeps the refusal when no log can supply the
// missing pages.
func TestStateShorterThanHeaderWithoutLogRefused(t *testing.T) {
	path := crashCopy(t, 300)
	shorten(t, path, 40)
	if err := os.Remove(path + "-wal"); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	_, err := Open(path)
	if !errors.Is(err, ErrForeignState) || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("open without the log: %v, want ErrForeignState (truncated)", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("the refused file was modified")
	}
}

// TestStateCutWithForeignLogRefused: a main file cut short whose log does not hold the
// missing pages is refused once SQLite has looked at it, not opened as a smaller state.
func TestStateCutWithForeignLogRefused(t *testing.T) {
	path := crashCopy(t, 300)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pageSize := int(binary.BigEndian.Uint16(data[16:18]))
	// Keep page 1 and half of a page: the tables' pages are gone, and the log holds
	// only the pad rows' pages.
	if err := os.WriteFile(path, data[:pageSize+pageSize/2], 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path)
	if err == nil {
		s.Close()
		t.Fatal("a cut state with an unrelated log opened")
	}
	if !errors.Is(err, ErrForeignState) {
		t.Errorf("cut state: %v, want ErrForeignState", err)
	}
}
