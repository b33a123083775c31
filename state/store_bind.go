package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// groupKey is what the requests of one group share (a row of request_groups).
type groupKey struct {
	job, bucket, region, typ, inputKind, input, workflow string
}

// rowIDs are the numbers of the plans and groups the writer has met, so that a request row
// costs no look-up of them. Numbers are never reused or changed once committed; the cache
// is dropped with a transaction that fails (it may have made the numbers it holds).
type rowIDs struct {
	plans  map[string]int64
	groups map[groupKey]int64
}

// reset forgets every number.
func (c *rowIDs) reset() {
	c.plans, c.groups = map[string]int64{}, map[groupKey]int64{}
}

// planID returns the number of plan planName, made in tx if the file has none.
func (w *writer) planID(ctx context.Context, tx *sql.Tx, planName string) (int64, error) {
	if id, ok := w.ids.plans[planName]; ok {
		return id, nil
	}
	id, err := w.idOf(ctx, tx, `SELECT id FROM request_plans WHERE plan=?`,
		`INSERT INTO request_plans (plan) VALUES (?) RETURNING id`, planName)
	if err != nil {
		return 0, fmt.Errorf("write state plan %s: %w", planName, err)
	}
	w.ids.plans[planName] = id
	return id, nil
}

// groupID returns the number of the group of r, made in tx if the file has none.
func (w *writer) groupID(ctx context.Context, tx *sql.Tx, r *Record) (int64, error) {
	k := groupKey{r.Job, r.Bucket, r.Region, string(r.Type), r.InputKind, r.Input, r.Workflow}
	if id, ok := w.ids.groups[k]; ok {
		return id, nil
	}
	id, err := w.idOf(ctx, tx, `SELECT id FROM request_groups WHERE job=? AND bucket=? AND region=? AND type=?
		AND input_kind=? AND input=? AND workflow=?`,
		`INSERT INTO request_groups (job, bucket, region, type, input_kind, input, workflow) VALUES (?,?,?,?,?,?,?) RETURNING id`,
		k.job, k.bucket, k.region, k.typ, k.inputKind, k.input, k.workflow)
	if err != nil {
		return 0, fmt.Errorf("write state request %s: %w", r.Name, err)
	}
	w.ids.groups[k] = id
	return id, nil
}

// idOf returns the id that query selects, or the one insert makes, with args.
func (w *writer) idOf(ctx context.Context, tx *sql.Tx, query, insert string, args ...any) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, query, args...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		err = tx.QueryRowContext(ctx, insert, args...).Scan(&id)
	}
	return id, err
}

// keyArgs appends the columns that find r's row: plan number and name as stored.
func (w *writer) keyArgs(ctx context.Context, tx *sql.Tx, args []any, r *Record) ([]any, error) {
	id, err := w.planID(ctx, tx, r.Plan)
	if err != nil {
		return args, err
	}
	return append(args, id, encodeName(r.Plan, r.Name)), nil
}

// outcomeArgs appends the 8 outcome columns of r as stored, in the order of outcomeSQL.
func outcomeArgs(args []any, r *Record) []any {
	return outcomeColumns(append(args, statusWords.encode(string(r.Status))), r)
}

// outcomeColumns appends the outcome columns of r after its status, as stored, in the
// order of upsertHead.
func outcomeColumns(args []any, r *Record) []any {
	return append(args, encodeHex(r.JobID, jobIDPrefix), jobStateWords.encode(r.JobState),
		encodeTime(r.JobCreated), r.Attempts, r.ErrorCode, r.ErrorMessage, encodeBase64(r.RequestID))
}

// matchArgs appends what an outcome must find in the row of its intent (outcomeSQL):
// plan number, name, position, digest and group.
func (w *writer) matchArgs(ctx context.Context, tx *sql.Tx, args []any, r *Record) ([]any, error) {
	args, err := w.keyArgs(ctx, tx, args, r)
	if err != nil {
		return args, err
	}
	grp, err := w.groupID(ctx, tx, r)
	if err != nil {
		return args, err
	}
	return append(args, r.Seq, encodeHex(r.Digest, 0), grp), nil
}

// intentArgs appends the columns of r's row that are not its outcome, in the order of
// upsertHead: plan number, name, position, group, digest, window, status.
func (w *writer) intentArgs(ctx context.Context, tx *sql.Tx, args []any, r *Record) ([]any, error) {
	args, err := w.keyArgs(ctx, tx, args, r)
	if err != nil {
		return args, err
	}
	grp, err := w.groupID(ctx, tx, r)
	if err != nil {
		return args, err
	}
	return append(args, r.Seq, grp, encodeHex(r.Digest, 0), encodeWindow(r.Start), encodeWindow(r.End),
		statusWords.encode(string(r.Status))), nil
}
