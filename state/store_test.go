package state

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/planrun/planrun/plan/request"
)

func TestOpenCreatesParentsAndSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "state.db")
	s := openStore(t, path)
	var mode string
	if err := s.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode %q (%v), want wal", mode, err)
	}
	var sync int
	if err := s.db.QueryRow(`PRAGMA synchronous`).Scan(&sync); err != nil || sync != 1 {
		t.Fatalf("synchronous %d (%v), want 1 (NORMAL)", sync, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopening an existing state works and keeps its rows.
	s = openStore(t, path)
	rec := Record{Key: request.Key{Plan: "p", Name: "p-j-1", Job: "j"}, Status: request.Triggered, JobID: "b1"}
	if err := s.Sync(context.Background(), &Write{Records: []Record{rec}}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openStore(t, path)
	got, ok, err := s.Lookup(context.Background(), "p", "p-j-1")
	if err != nil || !ok || got.JobID != "b1" || !got.Done() {
		t.Fatalf("lookup %+v %v %v", got, ok, err)
	}
}

func TestOpenRefusesForeignFiles(t *testing.T) {
	dir := t.TempDir()
	valid := filepath.Join(dir, "valid.db")
	s := openStore(t, valid)
	for i := range 300 {
		s.Send(&Write{Records: []Record{{Key: request.Key{Plan: "p",
			Name: "n" + string(rune('a'+i%26)) + time.Duration(i).String()}, Status: request.Triggered}}})
	}
	s.Close()
	data, err := os.ReadFile(valid)
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other.db")
	db, err := sql.Open("sqlite", other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE meta (key TEXT, value TEXT); INSERT INTO meta VALUES ('format', 'someone-else')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	noMeta := filepath.Join(dir, "nometa.db")
	db, _ = sql.Open("sqlite", noMeta)
	if _, err := db.Exec(`CREATE TABLE t (x)`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	cases := map[string][]byte{
		"garbage.db":   bytes.Repeat([]byte("not a database\n"), 100),
		"text.db":      []byte("hello"),
		"truncated.db": data[:len(data)/2+100],
		"header.db":    data[:100],
	}
	for name, content := range cases {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"garbage.db", "text.db", "truncated.db", "header.db", "other.db", "nometa.db"} {
		path := filepath.Join(dir, name)
		before, _ := os.ReadFile(path)
		s, err := Open(path)
		if err == nil {
			s.Close()
			t.Errorf("%s: opened, want ErrForeignState", name)
			continue
		}
		if !errors.Is(err, ErrForeignState) {
			t.Errorf("%s: %v, want ErrForeignState", name, err)
		}
		if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
			t.Errorf("%s: the file was modified", name)
		}
	}
}

func TestWriterGroupCommitsAndFlushes(t *testing.T) {
	s := openStore(t, "")
	for i := range 1000 {
		r := Record{Key: request.Key{Plan: "p", Name: "n" + time.Duration(i).String(), Seq: i}, Status: request.Sending}
		if err := s.Send(&Write{Records: []Record{r}}); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for r, err := range s.Records(context.Background(), "p") {
		if err != nil {
			t.Fatal(err)
		}
		if r.Seq != n {
			t.Fatalf("row %d has seq %d: want expansion order", n, r.Seq)
		}
		n++
	}
	if n != 1000 {
		t.Fatalf("%d rows after flush, want 1000", n)
	}
	for range s.Records(context.Background(), "q") {
		t.Fatal("rows of another plan")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(&Write{}); !errors.Is(err, errClosed) {
		t.Fatalf("write after close: %v", err)
	}
}
