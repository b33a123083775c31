package state

import (
	"context"
	"crypto/sha256"
	"errors"
	"os"
	"testing"
	"time"
)

// fileSum is the SHA-256 of the file at path (the main database file only).
func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// TestMigrationCancelledAtEachStepLeavesV1Whole cancels the command's context before each
// step of the conversion (and before it begins): Open fails with context.Canceled, the file
// is left byte for byte as it was (version 1, every row), unlocked, and the next
// read-write open converts it.
func TestMigrationCancelledAtEachStepLeavesV1Whole(t *testing.T) {
	t.Cleanup(func() { migrateFault = nil })
	path := buildV1Varied(t)
	rows := countRows(t, path)
	sum := fileSum(t, path)
	for step := -1; step < len(migrateV1SQL); step++ {
		ctx, cancel := context.WithCancel(context.Background())
		if step < 0 {
			cancel()
		}
		migrateFault = func(at int) error {
			if at == step {
				cancel()
			}
			return nil
		}
		s, err := OpenContext(ctx, path)
		cancel()
		if err == nil {
			s.Close()
			t.Fatalf("step %d: the conversion ran to its end after the cancel", step)
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("step %d: %v, want context.Canceled", step, err)
		}
		if v := schemaVersion(t, path); v != "1" {
			t.Fatalf("step %d: schema version %s after a cancelled conversion", step, v)
		}
		if n := countRows(t, path); n != rows {
			t.Fatalf("step %d: %d rows, want %d", step, n, rows)
		}
		if fileSum(t, path) != sum {
			t.Errorf("step %d: the file changed", step)
		}
	}
	migrateFault = nil
	s := openStore(t, path) // not locked: converts it
	s.Close()
	if v, n := schemaVersion(t, path), countRows(t, path); v != stateSchemaVersion || n != rows {
		t.Fatalf("after the conversion: schema version %s, %d rows; want %s, %d", v, n, stateSchemaVersion, rows)
	}
}

// TestMigrationCancelledAtAnyInstantLeavesOneWholeFile cancels the conversion of a large
// version 1 file at instants spread over the whole Open (the conversion, its commit and
// the compaction after it): each time the file is whole, either still version 1 (Open
// failed with context.Canceled) or version 2 (Open succeeded, or its compaction only was
// stopped), with every row; a version 2 file opens and reads.
func TestMigrationCancelledAtAnyInstantLeavesOneWholeFile(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: converts a state file of 3,000 requests several times")
	}
	base := buildV1Large(t, 3000)
	rows := countRows(t, base)
	orig, err := os.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	// How long an uncancelled Open takes.
	full := func() time.Duration {
		path := t.TempDir() + "/state.db"
		if err := os.WriteFile(path, orig, 0o600); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		s := openStore(t, path)
		took := time.Since(start)
		s.Close()
		return took
	}()
	const tries = 6
	v1, v2 := 0, 0
	for i := range tries {
		path := t.TempDir() + "/state.db"
		if err := os.WriteFile(path, orig, 0o600); err != nil {
			t.Fatal(err)
		}
		at := full * time.Duration(i+1) / (tries - 2) // the last two land after the end
		ctx, cancel := context.WithCancel(context.Background())
		timer := time.AfterFunc(at, cancel)
		s, err := OpenContext(ctx, path)
		timer.Stop()
		cancel()
		if err == nil {
			if n := recordCount(t, s); n != rows {
				t.Errorf("try %d (cancel at %v): %d rows readable, want %d", i, at, n, rows)
			}
			if err := s.Close(); err != nil {
				t.Errorf("try %d: close: %v", i, err)
			}
		} else if !errors.Is(err, context.Canceled) {
			t.Fatalf("try %d (cancel at %v): %v", i, at, err)
		}
		v := schemaVersion(t, path)
		switch {
		case v == "1" && err != nil:
			v1++
		case v == stateSchemaVersion && err == nil:
			v2++
		default:
			t.Fatalf("try %d (cancel at %v): schema version %s, Open error %v", i, at, v, err)
		}
		if n := countRows(t, path); n != rows {
			t.Fatalf("try %d (cancel at %v): %d rows, want %d", i, at, n, rows)
		}
		s2 := openStore(t, path)
		if n := recordCount(t, s2); n != rows {
			t.Errorf("try %d: reopened, %d rows readable, want %d", i, n, rows)
		}
		s2.Close()
	}
	t.Logf("an uncancelled open takes %v; %d tries left version 1, %d version 2", full, v1, v2)
}

// recordCount reads every request row of s through the store, as a command would list them
// (readAll also looks each one up, which under -race made this test take a minute and a half).
func recordCount(t *testing.T, s *Store) int {
	t.Helper()
	n := 0
	for _, err := range s.Records(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}
