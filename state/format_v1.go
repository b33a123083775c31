package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The state files of schema version 1 kept every column of a request as text. A read-write
// Open migrates such a file to version 2 in place (migrateV1); a read-only open reads it as
// it is, with v1Queries.

// v1Columns is the column list of a version 1 request row, in Record order.
const v1Columns = `r.plan, r.name, r.bucket, r.region, r.job, r.seq, r.digest, r.type, r.input_kind, r.input,
	r.workflow, r.window_start, r.window_end, r.status, r.job_id, r.job_state, r.job_created, r.attempts,
	r.last_error_code, r.last_error_message, r.request_id, r.created_at, r.updated_at`

// v1Queries read schema version 1.
var v1Queries = &queries{
	lookup:     `SELECT ` + v1Columns + ` FROM requests r WHERE r.plan=? AND r.name=?`,
	records:    `SELECT ` + v1Columns + ` FROM requests r`,
	plan:       `r.plan`,
	order:      ` ORDER BY r.plan, r.seq, r.name`,
	hasPlan:    `SELECT EXISTS (SELECT 1 FROM requests WHERE plan=?)`,
	scan:       scanRecordV1,
	lookupArgs: func(planName, name string) []any { return []any{planName, name} },
	counts:     ` FROM object_counts c JOIN requests r ON r.plan=c.plan AND r.name=c.name AND r.job_id=c.job_id`,
}

// scanRecordV1 reads one row selected with v1Columns.
func scanRecordV1(sc scanner) (Record, error) {
	var r Record
	var created, updated, start, end string
	err := sc.Scan(&r.Plan, &r.Name, &r.Bucket, &r.Region, &r.Job, &r.Seq, &r.Digest, &r.Type,
		&r.InputKind, &r.Input, &r.Workflow, &start, &end, &r.Status, &r.JobID,
		&r.JobState, &r.JobCreated, &r.Attempts, &r.ErrorCode, &r.ErrorMessage, &r.RequestID,
		&created, &updated)
	if err != nil {
		return r, err
	}
	r.Start, r.End = decodeWindow(start, end)
	r.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
	r.UpdatedAt, _ = time.Parse(time.RFC3339Nano, updated)
	return r, nil
}

// migrateV1SQL turns the request table of schema version 1 into those of version 2, every
// value encoded as the writer encodes it (the planrun_* functions of encode.go).
var migrateV1SQL = []string{
	`ALTER TABLE requests RENAME TO requests_v1`,
	`DROP INDEX IF EXISTS requests_plan_seq`,
	requestsSQL,
	`INSERT INTO request_plans (plan) SELECT DISTINCT plan FROM requests_v1 ORDER BY plan`,
	`INSERT OR IGNORE INTO request_groups (job, bucket, region, type, input_kind, input, workflow)
		SELECT job, bucket, region, type, input_kind, input, workflow FROM requests_v1 ORDER BY plan, seq, name`,
	`INSERT INTO requests (plan_id, name, seq, grp, digest, window_start, window_end, status, job_id,
		job_state, job_created, attempts, last_error_code, last_error_message, request_id, created_at, updated_at)
	SELECT p.id, planrun_name(o.plan, o.name), o.seq, g.id, planrun_digest(o.digest), planrun_time(o.window_start),
		planrun_time(o.window_end), planrun_status(o.status), planrun_job_id(o.job_id), planrun_jobstate(o.job_state),
		planrun_time(o.job_created), o.attempts, o.last_error_code, o.last_error_message, planrun_base64(o.request_id),
		planrun_stamp(o.created_at), planrun_stamp(o.updated_at)
	FROM requests_v1 o JOIN request_plans p ON p.plan=o.plan
	JOIN request_groups g ON g.job=o.job AND g.bucket=o.bucket AND g.region=o.region AND g.type=o.type
		AND g.input_kind=o.input_kind AND g.input=o.input AND g.workflow=o.workflow
	ORDER BY o.plan, o.name`,
	`DROP TABLE requests_v1`,
	`UPDATE meta SET value='2' WHERE key='schema_version'`,
}

// errOlderSchema is returned by init for a file of an older schema version, when it is not
// to migrate it.
var errOlderSchema = errors.New("state file of an older schema version")

// migrateLocked migrates an older file under the lock, so that no planrun writes it in the
// old format meanwhile (an older planrun's run would find its tables gone), then gives the
// lock back and compacts the file: the old rows' pages would otherwise stay in it, free.
// The compaction is a transaction of its own: a kill during it leaves the migrated file,
// and so does its failure (no space for the copy it makes, a reader in the way).
//
// Converting a large file takes seconds to minutes: when ctx ends meanwhile (the command's
// context, which a Ctrl-C or SIGTERM cancels) the statement under way is interrupted, the
// transaction rolls back, and the error wraps context.Canceled, the file left at version 1,
// whole. An end during the compaction stops the compaction only.
func (s *Store) migrateLocked(ctx context.Context) error {
	if err := s.lockFiles(); err != nil {
		if errors.Is(err, ErrStateInUse) {
			return fmt.Errorf("%w; the file is of an older format, which planrun converts when it opens it alone", err)
		}
		return err
	}
	defer s.release()
	if err := s.init(ctx, true); err != nil {
		if ctx.Err() != nil {
			// database/sql rolls the interrupted transaction back on a goroutine of its
			// own: take the write lock once it is free, so that the file is whole and no
			// longer locked when Open returns.
			if tx, err := s.db.BeginTx(context.Background(), nil); err == nil {
				_ = tx.Rollback()
			}
			return fmt.Errorf("state %s: converting it from schema version 1 was interrupted; the file is left as it was, and the next run converts it: %w",
				s.path, context.Canceled)
		}
		return err
	}
	// Any error leaves the file migrated and whole, only larger: not worth failing for.
	_, _ = s.db.ExecContext(ctx, `VACUUM`)
	return nil
}

// migrateFault, when set (by tests), is called before each step of migrateV1 and its
// error stops the migration there, as a crash would.
var migrateFault func(step int) error

// migrateV1 migrates a version 1 file to version 2 in tx: every step or none (the
// transaction is the file's, so a kill at any instant leaves the old file or the new one).
// It checks that every row made it across.
func (s *Store) migrateV1(ctx context.Context, tx *sql.Tx) error {
	var before int64
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM requests`).Scan(&before); err != nil {
		return s.foreign(err)
	}
	for i, q := range migrateV1SQL {
		if migrateFault != nil {
			if err := migrateFault(i); err != nil {
				return s.sqlError("migrate state", err)
			}
		}
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return s.sqlError("migrate state", err)
		}
	}
	var after int64
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM requests`).Scan(&after); err != nil {
		return s.sqlError("migrate state", err)
	}
	if after != before {
		return s.sqlError("migrate state", fmt.Errorf("%d rows before, %d after: the file is left as it was", before, after))
	}
	return nil
}

// migratedMeanwhile turns the error of a read of an older file, opened to read as it is,
// that a planrun migrated since (its columns are gone: "no such column") into one that
// says so; any other error stays itself.
func (s *Store) migratedMeanwhile(err error) error {
	if err == nil || s.q != v1Queries || sqliteCode(err) != 1 {
		return err
	}
	var v string
	if s.db.QueryRow(`SELECT value FROM meta WHERE key='schema_version'`).Scan(&v) != nil || v == "1" {
		return err
	}
	return fmt.Errorf("state %s was converted to schema version %s by another planrun while this command read it: run the command again (%w)", s.path, v, err)
}
