package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/planrun/planrun/plan/request"
)

// scanner is what *sql.Row and *sql.Rows share.
type scanner interface{ Scan(dest ...any) error }

// scanRecord reads one row selected with recordColumns and recordsFrom.
func scanRecord(sc scanner) (Record, error) {
	var r Record
	var name, digest, start, end, status, jobID, jobState, jobCreated, requestID, created, updated any
	err := sc.Scan(&r.Plan, &name, &r.Bucket, &r.Region, &r.Job, &r.Seq, &digest, &r.Type,
		&r.InputKind, &r.Input, &r.Workflow, &start, &end, &status, &jobID,
		&jobState, &jobCreated, &r.Attempts, &r.ErrorCode, &r.ErrorMessage, &requestID,
		&created, &updated)
	if err != nil {
		return r, err
	}
	r.Name = decodeName(r.Plan, name)
	r.Start, r.End = decodeWindow(start, end)
	r.Digest = decodeHex(digest, 0)
	r.Status = request.Status(statusWords.decode(status))
	r.JobID = decodeHex(jobID, jobIDPrefix)
	r.JobState = jobStateWords.decode(jobState)
	r.JobCreated = decodeTime(jobCreated)
	r.RequestID = decodeBase64(requestID)
	r.CreatedAt, r.UpdatedAt = decodeStamp(created), decodeStamp(updated)
	return r, nil
}

// queries are the statements of the reads that differ between schema versions: a store
// opened read-only on a version 1 file reads it as it is (see v1Queries).
type queries struct {
	lookup  string // the row of (plan, name): its arguments are lookupArgs
	records string // every row, before the WHERE on plans and the ORDER BY
	plan    string // the column that names the plan in records
	order   string
	hasPlan string
	scan    func(scanner) (Record, error)
	// lookupArgs are the arguments of lookup.
	lookupArgs func(planName, name string) []any
	// counts selects the object counts joined with their request rows (object_counts c).
	counts string
}

// v2Queries read schema version 2.
var v2Queries = &queries{
	lookup:     `SELECT ` + recordColumns + recordsFrom + ` WHERE p.plan=? AND r.name=?`,
	records:    `SELECT ` + recordColumns + recordsFrom,
	plan:       `p.plan`,
	order:      ` ORDER BY p.plan, r.seq, r.name`,
	hasPlan:    `SELECT EXISTS (SELECT 1 FROM requests WHERE plan_id=(SELECT id FROM request_plans WHERE plan=?))`,
	scan:       scanRecord,
	lookupArgs: func(planName, name string) []any { return []any{planName, encodeName(planName, name)} },
	counts: ` FROM object_counts c JOIN request_plans p ON p.plan=c.plan
		JOIN requests r ON r.plan_id=p.id AND r.name=planrun_name(c.plan, c.name) AND r.job_id=planrun_job_id(c.job_id)`,
}

// Lookup returns the row of (plan, name), or ok=false when the state has none.
func (s *Store) Lookup(ctx context.Context, planName, name string) (Record, bool, error) {
	row := s.lookupStmt.QueryRowContext(ctx, s.q.lookupArgs(planName, name)...)
	r, err := s.q.scan(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Record{}, false, nil
	}
	if err != nil {
		return Record{}, false, fmt.Errorf("read state %s: %w", name, s.migratedMeanwhile(err))
	}
	return r, true, nil
}

// HasPlan reports whether the state holds any row of plan planName. A run of a plan the
// state has never seen skips the per-request lookups (none could find anything).
func (s *Store) HasPlan(ctx context.Context, planName string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, s.q.hasPlan, planName).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("read state plan %s: %w", planName, s.migratedMeanwhile(err))
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
		q := s.q.records
		args := make([]any, len(plans))
		if len(plans) > 0 {
			q += ` WHERE ` + s.q.plan + ` IN (?` + strings.Repeat(",?", len(plans)-1) + `)`
			for i, p := range plans {
				args[i] = p
			}
		}
		q += s.q.order
		rows, err := s.db.QueryContext(ctx, q, args...)
		if err != nil {
			yield(Record{}, fmt.Errorf("read state: %w", s.migratedMeanwhile(err)))
			return
		}
		defer rows.Close()
		for rows.Next() {
			r, err := s.q.scan(rows)
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
