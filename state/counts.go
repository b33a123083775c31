package state

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"time"
)

// ObjectCounts are the per-object counts of the batch job of one request (its latest
// attempt per object, retries joined in), as they were last read from the service by
// planrun results, run --wait --results or retry --wait.
type ObjectCounts struct {
	Plan, Name string // the request
	JobID      string // the batch job counted; counts of another batch job of the request are not its
	Objects    int    // executions seen (one per object per workflow, or per node job)
	Succeeded  int
	Failed     int
	Running    int
	// ByCode counts the failures per Code ("" when unknown); may be nil.
	ByCode map[string]int
	// Complete is false when the listing stopped before its end (the counts hold what was read).
	Complete bool
	ReadAt   time.Time
	// Attempts is the highest attempt among the objects counted (1 without retries; 0 when
	// unknown: counts an older planrun wrote).
	Attempts int
}

// objectCountsSQL is the table of ObjectCounts, one row per request: added to state files
// after schema version 1 (see additions).
const objectCountsSQL = `
CREATE TABLE IF NOT EXISTS object_counts (
	plan      TEXT NOT NULL,
	name      TEXT NOT NULL,
	job_id    TEXT NOT NULL,
	objects   INTEGER NOT NULL,
	succeeded INTEGER NOT NULL,
	failed    INTEGER NOT NULL,
	running   INTEGER NOT NULL,
	by_code   TEXT NOT NULL DEFAULT '{}',
	complete  INTEGER NOT NULL,
	read_at   TEXT NOT NULL,
	PRIMARY KEY (plan, name)
);
`

// objectAttemptsSQL adds the attempts of ObjectCounts to the table (an addition after
// objectCountsSQL): an older planrun's rows read 0, unknown.
const objectAttemptsSQL = `ALTER TABLE object_counts ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;`

// PutObjectCounts records counts, replacing what the state held for the same requests, in
// one transaction. It does not wait for the writer: the table is apart from the requests.
func (s *Store) PutObjectCounts(ctx context.Context, counts []ObjectCounts) error {
	if s.w == nil {
		return s.readOnly()
	}
	if len(counts) == 0 {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.sqlError("write state", err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO object_counts
		(plan, name, job_id, objects, succeeded, failed, running, by_code, complete, read_at, attempts)
		VALUES (?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT (plan, name) DO UPDATE SET job_id=excluded.job_id, objects=excluded.objects,
		succeeded=excluded.succeeded, failed=excluded.failed, running=excluded.running,
		by_code=excluded.by_code, complete=excluded.complete, read_at=excluded.read_at,
		attempts=excluded.attempts`)
	if err != nil {
		return s.sqlError("write state", err)
	}
	defer stmt.Close()
	for _, c := range counts {
		codes := []byte("{}")
		if len(c.ByCode) > 0 {
			if codes, err = json.Marshal(c.ByCode); err != nil {
				return fmt.Errorf("write state: object counts of %s: %w", c.Name, err)
			}
		}
		complete := 0
		if c.Complete {
			complete = 1
		}
		if _, err := stmt.ExecContext(ctx, c.Plan, c.Name, c.JobID, c.Objects, c.Succeeded, c.Failed, c.Running,
			string(codes), complete, c.ReadAt.UTC().Format(stampFormat), c.Attempts); err != nil {
			return s.sqlError("write state", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return s.sqlError("write state", err)
	}
	return nil
}

// ObjectCountsOf streams the object counts recorded for requests of the named plans (all
// when none), only those of the batch job the request's row names now, in the order of
// Records (so a reader can walk both side by side); a state file that predates the table
// (read-only, not migrated) yields none.
func (s *Store) ObjectCountsOf(ctx context.Context, plans ...string) iter.Seq2[ObjectCounts, error] {
	return func(yield func(ObjectCounts, error) bool) {
		var has, hasAttempts int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type='table' AND name='object_counts'`).Scan(&has); err != nil {
			yield(ObjectCounts{}, s.sqlError("read state", err))
			return
		}
		if has == 0 {
			return
		}
		// A read-only file migrated by an older planrun has the table without attempts.
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info('object_counts') WHERE name='attempts'`).Scan(&hasAttempts); err != nil {
			yield(ObjectCounts{}, s.sqlError("read state", err))
			return
		}
		attempts := "0"
		if hasAttempts > 0 {
			attempts = "c.attempts"
		}
		q := `SELECT c.plan, c.name, c.job_id, c.objects, c.succeeded, c.failed, c.running, c.by_code,
			c.complete, c.read_at, ` + attempts + s.q.counts
		args := make([]any, len(plans))
		if len(plans) > 0 {
			q += ` WHERE c.plan IN (?` + strings.Repeat(",?", len(plans)-1) + `)`
			for i, p := range plans {
				args[i] = p
			}
		}
		rows, err := s.db.QueryContext(ctx, q+s.q.order, args...)
		if err != nil {
			yield(ObjectCounts{}, s.sqlError("read state", s.migratedMeanwhile(err)))
			return
		}
		defer rows.Close()
		for rows.Next() {
			var c ObjectCounts
			var codes, readAt string
			var complete int
			if err := rows.Scan(&c.Plan, &c.Name, &c.JobID, &c.Objects, &c.Succeeded, &c.Failed, &c.Running,
				&codes, &complete, &readAt, &c.Attempts); err != nil {
				yield(ObjectCounts{}, s.sqlError("read state", err))
				return
			}
			c.Complete = complete != 0
			c.ReadAt, _ = time.Parse(time.RFC3339Nano, readAt)
			if codes != "{}" && codes != "" {
				_ = json.Unmarshal([]byte(codes), &c.ByCode) // a damaged cell loses its codes, not its counts
			}
			if !yield(c, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(ObjectCounts{}, s.sqlError("read state", err))
		}
	}
}

// hasAdditions reports whether the file has every addition (read outside a transaction).
func (s *Store) hasAdditions(ctx context.Context) bool {
	var v string
	if err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key='additions'`).Scan(&v); err != nil {
		return false
	}
	have, err := strconv.Atoi(v)
	return err == nil && have >= len(additions)
}

// migrate applies the additions tx's file lacks and records how many it has.
func (s *Store) migrate(ctx context.Context, tx *sql.Tx) error {
	var v sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key='additions'`).Scan(&v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return s.sqlError("read state", err)
	}
	have, _ := strconv.Atoi(v.String)
	if have >= len(additions) {
		return nil // a newer planrun's additions, if any, are its own
	}
	for _, a := range additions[have:] {
		if _, err := tx.ExecContext(ctx, a); err != nil {
			return s.sqlError("migrate state", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('additions', ?)
		ON CONFLICT (key) DO UPDATE SET value=excluded.value`, strconv.Itoa(len(additions))); err != nil {
		return s.sqlError("migrate state", err)
	}
	return nil
}
