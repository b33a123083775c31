package state

import (
	"context"
	"database/sql"
	"strings"
	"sync"
)

// The user's cancels: the batch jobs planrun cancel was about to cancel, recorded before
// the cancels are sent, so that the loop of run --wait --max-attempts tells them from a
// cancel of the service (or of the console) and leaves them alone; run --rerun cancelled
// still sends them again. A batch job is named by its id alone (the service's ids are
// unique), some 40 bytes a row: a cancel of a million batch jobs adds some 40 MB.

// userCancelsSQL is the table of the user's cancels (an addition).
const userCancelsSQL = `
CREATE TABLE IF NOT EXISTS user_cancels (
	job_id TEXT PRIMARY KEY
) WITHOUT ROWID;
`

// PutUserCancels records the batch jobs jobIDs as cancelled by the user, in one
// transaction. It does not wait for the writer: the table is apart from the requests, so
// planrun cancel records them also while another planrun holds the state (a store opened
// with Open, without Lock).
func (s *Store) PutUserCancels(ctx context.Context, jobIDs []string) error {
	if s.w == nil {
		return s.readOnly()
	}
	if len(jobIDs) == 0 {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.sqlError("write state", err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO user_cancels (job_id) VALUES (?) ON CONFLICT DO NOTHING`)
	if err != nil {
		return s.sqlError("write state", err)
	}
	defer stmt.Close()
	for _, id := range jobIDs {
		if _, err := stmt.ExecContext(ctx, id); err != nil {
			return s.sqlError("write state", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return s.sqlError("write state", err)
	}
	return nil
}

// UserCancelled reports whether planrun cancel cancelled the batch job jobID. A state file
// without the table (read-only, from an older planrun) records none.
func (s *Store) UserCancelled(ctx context.Context, jobID string) (bool, error) {
	lookup, done := s.UserCancelledLookup()
	defer done()
	return lookup(ctx, jobID)
}

// userCancelledSQL asks whether a batch job is one of the user's cancels.
const userCancelledSQL = `SELECT count(*) FROM user_cancels WHERE job_id=?`

// UserCancelledLookup is UserCancelled on one prepared statement, for the many lookups of
// one pass (half the time of each, measured at 100,000); done frees it. lookup is safe
// for concurrent use.
func (s *Store) UserCancelledLookup() (lookup func(ctx context.Context, jobID string) (bool, error), done func()) {
	var mu sync.Mutex
	var stmt *sql.Stmt
	lookup = func(ctx context.Context, jobID string) (bool, error) {
		mu.Lock()
		defer mu.Unlock()
		var err error
		if stmt == nil {
			stmt, err = s.db.PrepareContext(ctx, userCancelledSQL)
		}
		var n int
		if err == nil {
			err = stmt.QueryRowContext(ctx, jobID).Scan(&n)
		}
		switch {
		case err != nil && strings.Contains(err.Error(), "no such table: user_cancels"):
			return false, nil // no look at the schema first: one query a batch job
		case err != nil:
			return false, s.sqlError("read state", err)
		}
		return n > 0, nil
	}
	done = func() {
		mu.Lock()
		defer mu.Unlock()
		if stmt != nil {
			stmt.Close()
			stmt = nil
		}
	}
	return lookup, done
}

// ReadOnly reports whether the store was opened for reading only (OpenReadOnly).
func (s *Store) ReadOnly() bool { return s.w == nil }
