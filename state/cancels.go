package state

import (
	"context"
	"strings"
	"time"
)

// UserCancel is a batch job that planrun cancel was about to cancel: the user's cancel,
// recorded before it is sent, so that the loop of run --wait --max-attempts tells it from
// a cancel of the service (or of the console) and leaves it alone; run --rerun cancelled
// still sends it again.
type UserCancel struct {
	Plan, Name string // the request's row (a retry's under its own plan name)
	JobID      string
	At         time.Time
}

// userCancelsSQL is the table of UserCancels (an addition): one row per batch job.
const userCancelsSQL = `
CREATE TABLE IF NOT EXISTS user_cancels (
	plan         TEXT NOT NULL,
	name         TEXT NOT NULL,
	job_id       TEXT NOT NULL,
	cancelled_at TEXT NOT NULL,
	PRIMARY KEY (plan, name, job_id)
);
`

// PutUserCancels records cancels in one transaction (a batch job recorded before keeps its
// first time). It does not wait for the writer: the table is apart from the requests, so
// planrun cancel records them also while another planrun holds the state (a store opened
// with Open, without Lock).
func (s *Store) PutUserCancels(ctx context.Context, cancels []UserCancel) error {
	if s.w == nil {
		return s.readOnly()
	}
	if len(cancels) == 0 {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.sqlError("write state", err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO user_cancels (plan, name, job_id, cancelled_at)
		VALUES (?,?,?,?) ON CONFLICT DO NOTHING`)
	if err != nil {
		return s.sqlError("write state", err)
	}
	defer stmt.Close()
	for _, c := range cancels {
		if _, err := stmt.ExecContext(ctx, c.Plan, c.Name, c.JobID, c.At.UTC().Format(stampFormat)); err != nil {
			return s.sqlError("write state", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return s.sqlError("write state", err)
	}
	return nil
}

// UserCancelled reports whether planrun cancel cancelled the batch job jobID of the
// request named name of plan. A state file without the table (read-only, from an older
// planrun) records none.
func (s *Store) UserCancelled(ctx context.Context, plan, name, jobID string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM user_cancels WHERE plan=? AND name=? AND job_id=?`,
		plan, name, jobID).Scan(&n)
	switch {
	case err != nil && strings.Contains(err.Error(), "no such table: user_cancels"):
		return false, nil // one query a batch job, even at a million: no look at the schema first
	case err != nil:
		return false, s.sqlError("read state", err)
	}
	return n > 0, nil
}

// ReadOnly reports whether the store was opened for reading only (OpenReadOnly).
func (s *Store) ReadOnly() bool { return s.w == nil }
