package state

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

// buildV1Large makes a version 1 state file of n requests (testdata/state-v1.sql, then n
// generated rows), big enough that converting it takes a while.
func buildV1Large(t *testing.T, n int) string {
	t.Helper()
	path := buildV1(t)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = db.Exec(`WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM i WHERE n < ?)
	INSERT INTO requests (plan, name, bucket, region, job, seq, digest, type, input_kind, input,
		workflow, window_start, window_end, status, job_id, job_state, job_created, attempts, last_error_code,
		last_error_message, request_id, created_at, updated_at)
	SELECT 'big', 'big-j-' || n || '-0123456789abcdef', 'examplebucket-1250000000', 'ap-beijing', 'j' || (n % 50), n,
		'e3767b60186f5914ed8d73bde53016b3ca920c545080872d11aba4d57c5b4295', 'Workflow', 'Prefix', 'input/' || (n % 50) || '/',
		'w7476ff3564ee45b7b490d64bccaba6cc', '2024-01-01T00:00:00+0800', '2024-01-02T00:00:00+0800', 'done',
		'bb417c8e58d1bc2cdbda475ee5780a34e', 'Success', '2024-01-03T00:00:00+0800', 1, '', '',
		'NmIxNzQ3MGRfMzQ2MWMxY2ZfY2VjM19hYTIy', '2024-01-03T00:00:00.123456789Z', '2024-01-03T00:00:00.123456789Z'
	FROM i`, n)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// countRows counts the requests of a state file of either version with a plain read.
func countRows(t *testing.T, path string) int {
	t.Helper()
	n, err := strconv.Atoi(readScalar(t, path, `SELECT count(*) FROM requests`))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestMigrationStopsWhenCancelled: when the command's context ends (a Ctrl-C or SIGTERM
// cancels it) while a large version 1 file is converted, the conversion stops at once,
// inside its longest statement, and leaves the file as it was: version 1, every row. The
// next read-write open converts it.
func TestMigrationStopsWhenCancelled(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds a state file of 30,000 requests")
	}
	t.Cleanup(func() { migrateFault = nil })

	path := buildV1Large(t, 30000)
	rows := countRows(t, path)
	for try := range 2 {
		ctx, cancel := context.WithCancel(context.Background())
		sentAt := make(chan time.Time, 1)
		migrateFault = func(step int) error {
			if step == 5 { // the INSERT of every request: the long one
				go func() {
					time.Sleep(50 * time.Millisecond)
					sentAt <- time.Now()
					cancel()
				}()
			}
			return nil
		}
		start := time.Now()
		s, err := OpenContext(ctx, path)
		took := time.Since(start)
		var sent time.Time
		select {
		case sent = <-sentAt:
		case <-time.After(5 * time.Second):
		}
		cancel()
		stopped := start.Add(took).Sub(sent) // from the cancel to Open's return
		if err == nil {
			s.Close()
			t.Fatalf("try %d: the migration ran to its end (%v)", try, took)
		}
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "left as it was") {
			t.Errorf("try %d: %v, want an interruption (context.Canceled) that says the file is left as it was", try, err)
		}
		if sent.IsZero() || stopped > time.Second {
			t.Errorf("try %d: Open returned %v after the cancel (%v in all)", try, stopped, took)
		}
		if v := schemaVersion(t, path); v != "1" {
			t.Fatalf("try %d: schema version %s after an interrupted migration", try, v)
		}
		if n := countRows(t, path); n != rows {
			t.Fatalf("try %d: %d rows after an interrupted migration, want %d", try, n, rows)
		}
		t.Logf("try %d: stopped %v after the cancel, %v after Open began", try, stopped, took)
	}
	migrateFault = nil
	start := time.Now()
	s := openStore(t, path)
	t.Logf("the whole migration took %v", time.Since(start))
	s.Close()
	if v, n := schemaVersion(t, path), countRows(t, path); v != stateSchemaVersion || n != rows {
		t.Fatalf("after the migration: schema version %s, %d rows; want %s, %d", v, n, stateSchemaVersion, rows)
	}
}
