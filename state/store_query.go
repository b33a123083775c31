package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"
)

// scanner is what *sql.Row and *sql.Rows share.
type scanner interface{ Scan(dest ...any) error }

// scanRecord reads one row selected with recordColumns.
func scanRecord(sc scanner) (Record, error) {
	var r Record
	var created, updated string
	err := sc.Scan(&r.Plan, &r.Name, &r.Bucket, &r.Region, &r.Job, &r.Seq, &r.Digest, &r.Type,
		&r.InputKind, &r.Input, &r.Workflow, &r.WindowStart, &r.WindowEnd, &r.Status, &r.JobID,
		&r.JobState, &r.JobCreated, &r.Attempts, &r.ErrorCode, &r.ErrorMessage, &r.RequestID,
		&created, &updated)
	if err != nil {
		return r, err
	}
	r.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
	r.UpdatedAt, _ = time.Parse(time.RFC3339Nano, updated)
	return r, nil
}

// lookupSQL selects the row of one request; see Store.lookupStmt.
const lookupSQL = `SELECT ` + recordColumns + ` FROM requests WHERE plan=? AND name=?`

// Lookup returns the row of (plan, name), or ok=false when the state has none.
func (s *Store) Lookup(ctx context.Context, planName, name string) (Record, bool, error) {
	row := s.lookupStmt.QueryRowContext(ctx, planName, name)
	r, err := scanRecord(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Record{}, false, nil
	}
	if err != nil {
		return Record{}, false, fmt.Errorf("read state %s: %w", name, err)
	}
	return r, true, nil
}

// HasPlan reports whether the state holds any row of plan planName. A run of a plan the
// state has never seen skips the per-request lookups (none could find anything).
func (s *Store) HasPlan(ctx context.Context, planName string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM requests WHERE plan=?)`, planName).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("read state plan %s: %w", planName, err)
	}
	return n != 0, nil
}

// FirstRun returns when the state first ran (plan, generation), or ok=false if never.
func (s *Store) FirstRun(ctx context.Context, planName string, generation int) (time.Time, bool, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT first_run_at FROM plans WHERE plan=? AND generation=?`,
		planName, generation).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("read state plan %s: %w", planName, err)
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("read state plan %s: first_run_at %q: %w", planName, v, err)
	}
	return t, true, nil
}

// Records streams the rows of the state file in plan and expansion order, restricted to
// the named plans when any are given. Pending writes are flushed first.
func (s *Store) Records(ctx context.Context, plans ...string) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		if err := s.Flush(ctx); err != nil {
			yield(Record{}, err)
			return
		}
		q := `SELECT ` + recordColumns + ` FROM requests`
		args := make([]any, len(plans))
		if len(plans) > 0 {
			q += ` WHERE plan IN (?` + strings.Repeat(",?", len(plans)-1) + `)`
			for i, p := range plans {
				args[i] = p
			}
		}
		q += ` ORDER BY plan, seq, name`
		rows, err := s.db.QueryContext(ctx, q, args...)
		if err != nil {
			yield(Record{}, fmt.Errorf("read state: %w", err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanRecord(rows)
			if err != nil {
				yield(Record{}, fmt.Errorf("read state: %w", err))
				return
			}
			if !yield(r, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(Record{}, fmt.Errorf("read state: %w", err))
		}
	}
}

// CreateLatency returns the create latencies the last run recorded (see Write.Latency), or
// ok=false when none did (a state written before planrun kept them, or no create yet).
func (s *Store) CreateLatency(ctx context.Context) (CreateLatency, bool, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key=?`, latencyKey).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return CreateLatency{}, false, nil
	}
	if err != nil {
		return CreateLatency{}, false, fmt.Errorf("read state create latency: %w", err)
	}
	l, err := decodeLatency(v)
	if err != nil {
		return CreateLatency{}, false, fmt.Errorf("read state: %w", err)
	}
	return l, true, nil
}
