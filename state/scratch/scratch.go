// Package scratch is a private, temporary SQLite database: what one command must remember
// about every job of a plan (the jobs a wait follows, the jobs a sweep found, the jobs a
// cancel matched), kept on disk instead of the heap so that memory stays flat at any plan
// size. It shares nothing with the state file but the SQLite driver.
package scratch

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// DB is a private, temporary SQLite database beside no state file: what one command
// must remember about every job of a plan (the jobs it follows, the jobs a sweep found),
// kept on disk instead of the heap so that memory stays flat at any plan size. It lives in
// the system's temporary folder and is deleted by Close. It is not safe for concurrent use.
type DB struct {
	db     *sql.DB
	path   string
	byName *sql.Stmt // CancelByName's query, prepared on first use
	// indexed is whether the follow table's indexes exist: they are built by the first
	// read, after the bulk of AddFollowed (see followIndexSQL).
	indexed bool
}

// followIndexSQL indexes the followed jobs. It runs once the jobs to follow are loaded:
// inserting into the job id index row by row, in the random order of the ids, read and
// wrote a random page of it per job once it outgrew the page cache (the wait's CPU grew
// 18× from 100,000 to 1,000,000 jobs), where building it after the load sorts the ids
// once and writes the index in order.
const followIndexSQL = `
CREATE INDEX IF NOT EXISTS follow_group ON follow (bucket, region, type, created DESC, k);
CREATE INDEX IF NOT EXISTS follow_id ON follow (job_id);
`

// indexFollowed builds the follow table's indexes, once, before the first read of it.
func (s *DB) indexFollowed(ctx context.Context) error {
	if s.indexed {
		return nil
	}
	if _, err := s.db.ExecContext(ctx, followIndexSQL); err != nil {
		return fmt.Errorf("scratch: %w", err)
	}
	s.indexed = true
	return nil
}

// scratchSQL creates the scratch tables. Credentials are never stored in them.
const scratchSQL = `
CREATE TABLE follow (
	k       INTEGER PRIMARY KEY,
	plan    TEXT NOT NULL,
	job     TEXT NOT NULL,
	name    TEXT NOT NULL,
	bucket  TEXT NOT NULL,
	region  TEXT NOT NULL,
	type    TEXT NOT NULL,
	job_id  TEXT NOT NULL,
	state   TEXT NOT NULL,
	code    TEXT NOT NULL,
	message TEXT NOT NULL,
	created INTEGER NOT NULL,
	recheck INTEGER NOT NULL,
	swept   INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE found (
	name    TEXT PRIMARY KEY,
	job_id  TEXT NOT NULL,
	state   TEXT NOT NULL,
	created TEXT NOT NULL,
	code    TEXT NOT NULL,
	message TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE cancel (
	k        INTEGER PRIMARY KEY,
	name     TEXT NOT NULL,
	job      TEXT NOT NULL,
	bucket   TEXT NOT NULL,
	region   TEXT NOT NULL,
	type     TEXT NOT NULL,
	job_id   TEXT NOT NULL,
	state    TEXT NOT NULL,
	code     TEXT NOT NULL,
	message  TEXT NOT NULL,
	created  TEXT NOT NULL,
	mark     INTEGER NOT NULL,
	describe INTEGER NOT NULL
);
CREATE INDEX cancel_name ON cancel (name);
`

// Open creates a new scratch database in the system's temporary folder.
func Open() (*DB, error) {
	f, err := os.CreateTemp("", "planrun-scratch-*.db")
	if err != nil {
		return nil, fmt.Errorf("scratch: %w", err)
	}
	path := f.Name()
	f.Close()
	// Nothing here must survive a crash: no journal, no sync. A page cache of 16 MiB holds
	// the job id index of a wait over a few hundred thousand jobs, which is read and
	// written in random order (with 4 MiB, its reads from the file grew with the jobs).
	db, err := sql.Open("sqlite", path+"?_pragma=journal_mode(OFF)&_pragma=synchronous(OFF)&_pragma=cache_size(-16384)")
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("scratch: %w", err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(scratchSQL); err != nil {
		db.Close()
		os.Remove(path)
		return nil, fmt.Errorf("scratch: %w", err)
	}
	return &DB{db: db, path: path}, nil
}

// Close closes and deletes the scratch database.
func (s *DB) Close() error {
	if s == nil {
		return nil
	}
	if s.byName != nil {
		s.byName.Close()
	}
	err := s.db.Close()
	os.Remove(s.path)
	return err
}

// Followed is one job a wait follows, as the scratch keeps it.
type Followed struct {
	Key                         int64 // assigned by AddFollowed
	Plan, Job, Name             string
	Bucket, Region, Type        string
	JobID, State, Code, Message string
	Created                     int64 // the job's creation time, unix nanoseconds
	Recheck                     bool
	// Swept is the last refresh pass that read the job's state (0: none); set by
	// UpdateFollowed.
	Swept int64
}

// followCols are the columns of a Followed, in the order scanFollowed reads them.
const followCols = `k, plan, job, name, bucket, region, type, job_id, state, code, message, created, recheck, swept`

// scanFollowed reads the followed jobs of rows (followCols) and closes rows.
func scanFollowed(rows *sql.Rows) ([]Followed, error) {
	defer rows.Close()
	var out []Followed
	for rows.Next() {
		var j Followed
		if err := rows.Scan(&j.Key, &j.Plan, &j.Job, &j.Name, &j.Bucket, &j.Region, &j.Type, &j.JobID,
			&j.State, &j.Code, &j.Message, &j.Created, &j.Recheck, &j.Swept); err != nil {
			return nil, fmt.Errorf("scratch: %w", err)
		}
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("scratch: %w", err)
	}
	return out, nil
}

// AddFollowed stores jobs to follow, in one transaction.
func (s *DB) AddFollowed(ctx context.Context, jobs []Followed) error {
	if len(jobs) == 0 {
		return nil
	}
	return s.tx(ctx, `INSERT INTO follow (plan, job, name, bucket, region, type, job_id, state, code, message, created, recheck)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`, len(jobs), func(i int) []any {
		j := &jobs[i]
		return []any{j.Plan, j.Job, j.Name, j.Bucket, j.Region, j.Type, j.JobID, j.State, j.Code, j.Message, j.Created, j.Recheck}
	})
}

// FollowGroup is the bucket, region and job type of some followed jobs: one list sweep.
type FollowGroup struct{ Bucket, Region, Type string }

// FollowGroups returns the groups of the followed jobs.
func (s *DB) FollowGroups(ctx context.Context) ([]FollowGroup, error) {
	if err := s.indexFollowed(ctx); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT bucket, region, type FROM follow ORDER BY bucket, region, type`)
	if err != nil {
		return nil, fmt.Errorf("scratch: %w", err)
	}
	defer rows.Close()
	var out []FollowGroup
	for rows.Next() {
		var g FollowGroup
		if err := rows.Scan(&g.Bucket, &g.Region, &g.Type); err != nil {
			return nil, fmt.Errorf("scratch: %w", err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// FollowSpan returns how many jobs of group g are followed and the creation times of the
// oldest and the newest of them (unix nanoseconds).
func (s *DB) FollowSpan(ctx context.Context, g FollowGroup) (n int, oldest, newest int64, err error) {
	if err := s.indexFollowed(ctx); err != nil {
		return 0, 0, 0, err
	}
	var lo, hi sql.NullInt64
	err = s.db.QueryRowContext(ctx, `SELECT COUNT(*), MIN(created), MAX(created) FROM follow
		WHERE bucket=? AND region=? AND type=?`, g.Bucket, g.Region, g.Type).Scan(&n, &lo, &hi)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("scratch: %w", err)
	}
	return n, lo.Int64, hi.Int64, nil
}

// followedByIDSQL selects the followed jobs of one group among n job ids. It is bound to
// the job id index (INDEXED BY: SQLite refuses the statement rather than run it another
// way): the group's columns match every row of a group, and a plan that searched the group
// index for them would read the whole group for each page of ids, so that a round of
// --wait over n jobs would cost n²/100 rows read.
func followedByIDSQL(n int) string {
	return `SELECT ` + followCols + ` FROM follow INDEXED BY follow_id WHERE job_id IN (?` +
		strings.Repeat(",?", n-1) + `) AND bucket=? AND region=? AND type=?`
}

// FollowedByID returns the followed jobs of group g whose job id is one of ids (several
// jobs may share an id; an id may be asked for more than once). It reads only the rows of
// those ids, whatever the size of the group.
func (s *DB) FollowedByID(ctx context.Context, g FollowGroup, ids []string) ([]Followed, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if err := s.indexFollowed(ctx); err != nil {
		return nil, err
	}
	args := make([]any, 0, 3+len(ids))
	for _, id := range ids {
		args = append(args, id)
	}
	args = append(args, g.Bucket, g.Region, g.Type)
	rows, err := s.db.QueryContext(ctx, followedByIDSQL(len(ids)), args...)
	if err != nil {
		return nil, fmt.Errorf("scratch: %w", err)
	}
	return scanFollowed(rows)
}

// FollowCursor is where FollowedPage resumes: after the job created at Created with key
// Key (newest first); the zero cursor starts with the newest.
type FollowCursor struct {
	Created, Key int64
	Started      bool
}

// FollowedPage returns at most limit followed jobs of group g that pass did not sweep
// (Swept != pass), newest first, after cur, and the cursor after them.
func (s *DB) FollowedPage(ctx context.Context, g FollowGroup, pass int64, cur FollowCursor, limit int) ([]Followed, FollowCursor, error) {
	if err := s.indexFollowed(ctx); err != nil {
		return nil, cur, err
	}
	q := `SELECT ` + followCols + ` FROM follow WHERE bucket=? AND region=? AND type=? AND swept<>?`
	args := []any{g.Bucket, g.Region, g.Type, pass}
	if cur.Started {
		q += ` AND (created < ? OR (created = ? AND k > ?))`
		args = append(args, cur.Created, cur.Created, cur.Key)
	}
	q += ` ORDER BY created DESC, k LIMIT ?`
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, cur, fmt.Errorf("scratch: %w", err)
	}
	out, err := scanFollowed(rows)
	if err != nil {
		return nil, cur, err
	}
	if n := len(out); n > 0 {
		cur = FollowCursor{Created: out[n-1].Created, Key: out[n-1].Key, Started: true}
	}
	return out, cur, nil
}

// UpdateFollowed records new states of followed jobs: those in done are finished and no
// longer followed, the others keep being followed with their new state and Swept.
func (s *DB) UpdateFollowed(ctx context.Context, jobs []Followed, done []bool) error {
	if len(jobs) == 0 {
		return nil
	}
	if err := s.indexFollowed(ctx); err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("scratch: %w", err)
	}
	defer tx.Rollback()
	del, err := tx.PrepareContext(ctx, `DELETE FROM follow WHERE k=?`)
	if err != nil {
		return fmt.Errorf("scratch: %w", err)
	}
	defer del.Close()
	upd, err := tx.PrepareContext(ctx, `UPDATE follow SET state=?, code=?, message=?, recheck=?, swept=? WHERE k=?`)
	if err != nil {
		return fmt.Errorf("scratch: %w", err)
	}
	defer upd.Close()
	for i := range jobs {
		j := &jobs[i]
		if done[i] {
			_, err = del.ExecContext(ctx, j.Key)
		} else {
			_, err = upd.ExecContext(ctx, j.State, j.Code, j.Message, j.Recheck, j.Swept, j.Key)
		}
		if err != nil {
			return fmt.Errorf("scratch: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("scratch: %w", err)
	}
	return nil
}

// FoundJob is a job a sweep found on the service, by its Name.
type FoundJob struct {
	Name, JobID, State, Created, Code, Message string
}

// AddFound stores jobs found by a sweep; a Name already stored keeps its first job.
func (s *DB) AddFound(ctx context.Context, jobs []FoundJob) error {
	if len(jobs) == 0 {
		return nil
	}
	return s.tx(ctx, `INSERT INTO found (name, job_id, state, created, code, message) VALUES (?,?,?,?,?,?)
		ON CONFLICT (name) DO NOTHING`, len(jobs), func(i int) []any {
		j := &jobs[i]
		return []any{j.Name, j.JobID, j.State, j.Created, j.Code, j.Message}
	})
}

// Found returns the job stored for name, or ok=false.
func (s *DB) Found(ctx context.Context, name string) (FoundJob, bool, error) {
	j := FoundJob{Name: name}
	err := s.db.QueryRowContext(ctx, `SELECT job_id, state, created, code, message FROM found WHERE name=?`, name).
		Scan(&j.JobID, &j.State, &j.Created, &j.Code, &j.Message)
	if errors.Is(err, sql.ErrNoRows) {
		return FoundJob{}, false, nil
	}
	if err != nil {
		return FoundJob{}, false, fmt.Errorf("scratch: %w", err)
	}
	return j, true, nil
}

// tx runs query once per row in one transaction; args returns the values of row i.
func (s *DB) tx(ctx context.Context, query string, n int, args func(i int) []any) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("scratch: %w", err)
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, strings.TrimSpace(query))
	if err != nil {
		return fmt.Errorf("scratch: %w", err)
	}
	defer st.Close()
	for i := range n {
		if _, err := st.ExecContext(ctx, args(i)...); err != nil {
			return fmt.Errorf("scratch: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("scratch: %w", err)
	}
	return nil
}

// Marks of a CancelJob: whether and how cancel reports it.
const (
	CancelUnmatched = 0 // found by a sweep, not (yet) matched: not reported
	CancelInPlan    = 1 // a job of one of the plan's requests
	CancelOutside   = 2 // a job the plan no longer makes (an earlier generation, an edited job)
)

// CancelJob is a job cancel found (by a sweep, or in the state), as the scratch keeps it.
// Several jobs may share a Name (duplicates): each is its own row.
type CancelJob struct {
	Key                         int64 // assigned by AddCancel
	Name, Job                   string
	Bucket, Region, Type        string
	JobID, State, Code, Message string
	Created                     string
	Mark                        int  // CancelUnmatched, CancelInPlan or CancelOutside
	Describe                    bool // known from the state only: describe it before cancelling
	Dups                        int  // set by CancelPage: the jobs a sweep found with this Name
}

// AddCancel stores jobs for cancel, in one transaction.
func (s *DB) AddCancel(ctx context.Context, jobs []CancelJob) error {
	if len(jobs) == 0 {
		return nil
	}
	return s.tx(ctx, `INSERT INTO cancel (name, job, bucket, region, type, job_id, state, code, message, created, mark, describe)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`, len(jobs), func(i int) []any {
		j := &jobs[i]
		return []any{j.Name, j.Job, j.Bucket, j.Region, j.Type, j.JobID, j.State, j.Code, j.Message, j.Created, j.Mark, j.Describe}
	})
}

// CancelByName returns the jobs a sweep found with Name name, in the order found.
func (s *DB) CancelByName(ctx context.Context, name string) ([]CancelJob, error) {
	if s.byName == nil {
		st, err := s.db.PrepareContext(ctx, `SELECT k, name, job, bucket, region, type, job_id, state, code, message, created, mark, describe
		FROM cancel WHERE name=? AND describe=0 ORDER BY k`)
		if err != nil {
			return nil, fmt.Errorf("scratch: %w", err)
		}
		s.byName = st
	}
	rows, err := s.byName.QueryContext(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("scratch: %w", err)
	}
	return scanCancel(rows, false)
}

// MarkCancel sets the plan job and the mark of jobs by Key, in one transaction.
func (s *DB) MarkCancel(ctx context.Context, jobs []CancelJob) error {
	if len(jobs) == 0 {
		return nil
	}
	return s.tx(ctx, `UPDATE cancel SET job=?, mark=? WHERE k=?`, len(jobs), func(i int) []any {
		return []any{jobs[i].Job, jobs[i].Mark, jobs[i].Key}
	})
}

// CancelPage returns at most limit marked jobs (in the order stored) after key after, each
// with Dups set.
func (s *DB) CancelPage(ctx context.Context, after int64, limit int) ([]CancelJob, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT k, name, job, bucket, region, type, job_id, state, code, message, created, mark, describe,
		(SELECT COUNT(*) FROM cancel d WHERE d.name = c.name AND d.describe = 0)
		FROM cancel c WHERE mark != 0 AND k > ? ORDER BY k LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("scratch: %w", err)
	}
	return scanCancel(rows, true)
}

// CancelDuplicated counts the Names of marked jobs that more than one found job carries.
func (s *DB) CancelDuplicated(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT name FROM cancel WHERE describe = 0
		GROUP BY name HAVING COUNT(*) > 1 AND MAX(mark) != 0)`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("scratch: %w", err)
	}
	return n, nil
}

func scanCancel(rows *sql.Rows, dups bool) ([]CancelJob, error) {
	defer rows.Close()
	var out []CancelJob
	for rows.Next() {
		var j CancelJob
		dest := []any{&j.Key, &j.Name, &j.Job, &j.Bucket, &j.Region, &j.Type, &j.JobID, &j.State, &j.Code,
			&j.Message, &j.Created, &j.Mark, &j.Describe}
		if dups {
			dest = append(dest, &j.Dups)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("scratch: %w", err)
		}
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("scratch: %w", err)
	}
	return out, nil
}
