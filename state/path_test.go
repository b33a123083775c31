package state

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/planrun/planrun/plan/request"
)

// TestOneStateThroughTwoPathsHasOneLock: a symbolic link and a hard link to a state file
// in use meet its lock (before, each path had its own <path>.lock, and two runs sent every
// request twice), and they share the file's heartbeat.
func TestOneStateThroughTwoPathsHasOneLock(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.db")
	holder := openStore(t, real)
	if err := holder.Lock(); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.db")
	if err := os.Symlink("real.db", link); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "elsewhere")
	if err := os.Symlink(dir, other); err != nil { // a linked folder too
		t.Fatal(err)
	}
	paths := []string{link, filepath.Join(other, "real.db"), filepath.Join(other, "link.db")}
	for _, p := range paths {
		s := openStore(t, p)
		if err := s.Lock(); !errors.Is(err, ErrStateInUse) {
			t.Errorf("Lock through %s: %v, want ErrStateInUse", p, err)
		}
		if s.Path() != holder.Path() {
			t.Errorf("Path through %s = %s, want %s (one heartbeat, one lock file)", p, s.Path(), holder.Path())
		}
	}
	if runtime.GOOS == "linux" {
		// A hard link is refused at Open (see TestHardLinkedStateIsRefused); a store opened
		// before the link was made still meets the lock on the file itself.
		early := openStore(t, filepath.Join(other, "real.db"))
		hard := filepath.Join(dir, "hard.db")
		if err := os.Link(real, hard); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(hard); !errors.Is(err, ErrStatePath) {
			t.Errorf("Open through a hard link: %v, want ErrStatePath", err)
		}
		if err := early.Lock(); !errors.Is(err, ErrStateInUse) {
			t.Errorf("Lock of a file that gained a hard link: %v, want ErrStateInUse", err)
		}
	}
	if _, err := os.Lstat(link + ".lock"); err == nil {
		t.Errorf("a lock file was made beside the link: it must be named after the file itself")
	}
}

// TestStatePathsThatHoldNothingAreRefused: ":memory:" keeps nothing for the next run, and
// an SQLite URI reaches a file under another name (so another lock); both are refused.
func TestStatePathsThatHoldNothingAreRefused(t *testing.T) {
	t.Chdir(t.TempDir())
	openStore(t, "real.db").Close()
	for _, p := range []string{":memory:", "file:real.db", "FILE:real.db", "file:real.db?mode=rwc", "", "a?b.db"} {
		s, err := Open(p)
		if err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", p)
			continue
		}
		if !errors.Is(err, ErrStatePath) {
			t.Errorf("Open(%q): %v, want ErrStatePath", p, err)
		}
	}
	if _, err := os.Stat(":memory:"); err == nil {
		t.Error("a file named :memory: was made")
	}
}

// TestCompanionFilesDoNotFollowPlantedLinks: links planted where the lock file, the
// heartbeat or its temporary file go are never written through.
func TestCompanionFilesDoNotFollowPlantedLinks(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(t.TempDir(), "victim.txt")
	content := []byte("precious\n")
	if err := os.WriteFile(victim, content, 0o644); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(dir, "s.db")
	s := openStore(t, state)
	for _, c := range []string{".lock", ".heartbeat", ".heartbeat.tmp"} {
		if err := os.Symlink(victim, state+c); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Lock(); !errors.Is(err, ErrSymlink) {
		t.Errorf("Lock with a planted %s.lock link: %v, want ErrSymlink", state, err)
	}
	hb := StartHeartbeat(s.Path(), time.Second, time.Now)
	hb.Stop()
	if got, err := os.ReadFile(victim); err != nil || !bytes.Equal(got, content) {
		t.Fatalf("the link's target was written: %q (%v)", got, err)
	}
	if _, _, ok := LastBeat(s.Path()); !ok {
		t.Error("no heartbeat after Stop: the beat must replace the planted link")
	}
	// The -wal and -shm files are SQLite's: a link there is refused before SQLite runs.
	s.Close()
	os.Remove(state + "-wal")
	if err := os.Symlink(victim, state+"-wal"); err != nil {
		t.Fatal(err)
	}
	if s2, err := Open(state); !errors.Is(err, ErrSymlink) {
		if s2 != nil {
			s2.Close()
		}
		t.Errorf("Open with a planted -wal link: %v, want ErrSymlink", err)
	}
	if got, _ := os.ReadFile(victim); !bytes.Equal(got, content) {
		t.Fatalf("the link's target was written: %q", got)
	}
}

// TestTwoRunsOnANewStateAtOnce: two processes creating one new state at the same instant
// get one state file and "in use" for the second, never "UNIQUE constraint failed".
func TestTwoRunsOnANewStateAtOnce(t *testing.T) {
	for i := range 20 {
		path := filepath.Join(t.TempDir(), "s.db")
		var wg sync.WaitGroup
		errs := make([]error, 2)
		stores := make([]*Store, 2)
		start := make(chan struct{})
		for k := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				s, err := Open(path)
				if err != nil {
					errs[k] = err
					return
				}
				stores[k] = s
				errs[k] = s.Lock()
			}()
		}
		close(start)
		wg.Wait()
		inUse := 0
		for k, err := range errs {
			if stores[k] != nil {
				stores[k].Close()
			}
			switch {
			case errors.Is(err, ErrStateInUse):
				inUse++
			case err != nil:
				t.Fatalf("round %d: %v, want nil or ErrStateInUse", i, err)
			}
		}
		if inUse > 1 {
			t.Fatalf("round %d: both runs refused", i)
		}
	}
}

// TestReadOnlyStateSaysSoAndCanBeRead: a state in a folder that cannot be written is
// reported as read-only (not as "not a planrun state file"), and can still be read.
func TestReadOnlyStateSaysSoAndCanBeRead(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes read-only files: run as another user to test this")
	}
	dir := filepath.Join(t.TempDir(), "ro")
	path := filepath.Join(dir, "s.db")
	s := openStore(t, path)
	rec := Record{Key: request.Key{Plan: "p", Name: "p-j-1", Job: "j"}, Status: request.Triggered, JobID: "b1"}
	if err := s.Sync(context.Background(), &Write{Records: []Record{rec}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	if s, err := Open(path); !errors.Is(err, ErrReadOnly) || errors.Is(err, ErrForeignState) {
		if s != nil {
			s.Close()
		}
		t.Fatalf("Open of a read-only state: %v, want ErrReadOnly", err)
	}
	// A state file that does not exist there: nothing for status to read, so no such hint.
	if s, err := Open(filepath.Join(dir, "missing.db")); !errors.Is(err, ErrReadOnly) || strings.Contains(err.Error(), "status can still read") {
		if s != nil {
			s.Close()
		}
		t.Errorf("Open of a missing state in a read-only folder: %v, want ErrReadOnly without the status hint", err)
	}
	ro, err := OpenReadOnly(path)
	if err != nil {
		t.Fatalf("OpenReadOnly: %v", err)
	}
	defer ro.Close()
	n := 0
	for r, err := range ro.Records(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		if r.JobID != "b1" {
			t.Errorf("row %+v", r)
		}
		n++
	}
	if n != 1 {
		t.Fatalf("%d rows, want 1", n)
	}
	if err := ro.Send(&Write{}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("write to a read-only store: %v, want ErrReadOnly", err)
	}
}

// TestReadOnlyOpenReadsWhileARunWrites: status reads a state a run holds and writes.
func TestReadOnlyOpenReadsWhileARunWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	s := openStore(t, path)
	if err := s.Lock(); err != nil {
		t.Fatal(err)
	}
	rec := Record{Key: request.Key{Plan: "p", Name: "p-j-1", Job: "j"}, Status: request.Sending}
	if err := s.Sync(context.Background(), &Write{Records: []Record{rec}}); err != nil {
		t.Fatal(err)
	}
	ro, err := OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	got, ok, err := ro.Lookup(context.Background(), "p", "p-j-1")
	if err != nil || !ok || got.Status != request.Sending {
		t.Fatalf("Lookup %+v %v %v", got, ok, err)
	}
}

// TestFullDiskSaysSo: a write that finds no space fails with ErrDiskFull and SQLite's own
// words, "database or disk is full".
func TestFullDiskSaysSo(t *testing.T) {
	s := openStore(t, "")
	// Cap the file at its size plus one page on every connection of the pool.
	s.db.SetMaxIdleConns(4)
	var pages int
	if err := s.db.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var conns []*sql.Conn
	for range 4 {
		c, err := s.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		if _, err := c.ExecContext(ctx, `PRAGMA max_page_count = `+strconv.Itoa(pages+1)); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range conns {
		c.Close()
	}
	var recs []Record
	for i := range 2000 {
		recs = append(recs, Record{Key: request.Key{Plan: "p", Name: "p-j-" + strconv.Itoa(i), Job: "j", Seq: i,
			Input: strings.Repeat("x", 200)}, Status: request.Sending})
	}
	err := s.Sync(ctx, &Write{Records: recs})
	if !errors.Is(err, ErrDiskFull) || !strings.Contains(err.Error(), "database or disk is full") {
		t.Fatalf("write on a full state: %v, want ErrDiskFull saying \"database or disk is full\"", err)
	}
}

// TestHardLinkedStateIsRefused: SQLite names its write-ahead log after the path it opens,
// so one database under two names has two logs: a run killed under one name leaves its
// last writes in <name>-wal, a run under the other name never sees them, and a later open
// under the first name replays that stale log over the newer file. A state file with more
// than one name is refused for writing, under either name; OpenReadOnly still reads it.
func TestHardLinkedStateIsRefused(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		t.Skip("link counts are read on unix")
	}
	dir := t.TempDir()
	real := filepath.Join(dir, "real.db")
	s := openStore(t, real)
	s.Close()
	hard := filepath.Join(dir, "hard.db")
	if err := os.Link(real, hard); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{hard, real} {
		s, err := Open(p)
		if err == nil {
			s.Close()
			t.Errorf("Open(%s) of a file with two names succeeded, want it refused", filepath.Base(p))
			continue
		}
		if !errors.Is(err, ErrStatePath) || !strings.Contains(err.Error(), "hard link") {
			t.Errorf("Open(%s) = %v, want ErrStatePath naming the hard link", filepath.Base(p), err)
		}
	}
	if _, err := os.Lstat(hard + "-wal"); err == nil {
		t.Errorf("a refused open made %s-wal: a second log for one database", filepath.Base(hard))
	}
	r, err := OpenReadOnly(real)
	if err != nil {
		t.Fatalf("status cannot read a hard-linked state: %v", err)
	}
	r.Close()
	if err := os.Remove(hard); err != nil {
		t.Fatal(err)
	}
	openStore(t, real) // one name again: accepted
}
