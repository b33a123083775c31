package state

import "strings"

// stateFormat is the marker stored in meta.format: a file without it is not ours.
const stateFormat = "planrun-state"

// stateSchemaVersion is the version of the tables below; bump it with a migration that an
// older planrun could not read through. Tables that only add to it are additions instead.
const stateSchemaVersion = "1"

// additions are the tables added to schema version 1 since, in order, applied by Open to a
// file that lacks them (the migration of an older file; meta.additions counts those a file
// has). An older planrun reads and writes a file with them as before: it never touches
// them, so they leave stateSchemaVersion alone. Append; never edit or reorder.
var additions = []string{objectCountsSQL, objectAttemptsSQL, userCancelsSQL}

// schemaSQL creates the state tables. Credentials are never stored anywhere in them.
const schemaSQL = `
CREATE TABLE IF NOT EXISTS meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS requests (
	plan              TEXT NOT NULL,
	name              TEXT NOT NULL,
	bucket            TEXT NOT NULL,
	region            TEXT NOT NULL,
	job               TEXT NOT NULL,
	seq               INTEGER NOT NULL,
	digest            TEXT NOT NULL,
	type              TEXT NOT NULL,
	input_kind        TEXT NOT NULL,
	input             TEXT NOT NULL,
	workflow          TEXT NOT NULL DEFAULT '',
	window_start      TEXT NOT NULL DEFAULT '',
	window_end        TEXT NOT NULL DEFAULT '',
	status            TEXT NOT NULL,
	job_id            TEXT NOT NULL DEFAULT '',
	job_state         TEXT NOT NULL DEFAULT '',
	job_created       TEXT NOT NULL DEFAULT '',
	attempts          INTEGER NOT NULL DEFAULT 0,
	last_error_code    TEXT NOT NULL DEFAULT '',
	last_error_message TEXT NOT NULL DEFAULT '',
	request_id        TEXT NOT NULL DEFAULT '',
	created_at        TEXT NOT NULL,
	updated_at        TEXT NOT NULL,
	PRIMARY KEY (plan, name)
);
CREATE INDEX IF NOT EXISTS requests_plan_seq ON requests (plan, seq);
CREATE TABLE IF NOT EXISTS plans (
	plan         TEXT NOT NULL,
	generation   INTEGER NOT NULL,
	first_run_at TEXT NOT NULL,
	PRIMARY KEY (plan, generation)
);
`

// upsertRowsSQL writes n request rows (23 values each, in the order of upsertHead);
// created_at is kept from the first write of a row.
func upsertRowsSQL(n int) string {
	const row = "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
	return upsertHead + row + strings.Repeat(","+row, n-1) + upsertTail
}

// intentRowsSQL writes n rows that carry no outcome (intents, rows given back unsent):
// upsertRowsSQL with the outcome columns as literals, 16 values per row instead of 23
// (binding a parameter cost more than the rest of writing the row).
func intentRowsSQL(n int) string {
	const row = "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,'','','',0,'','','',?,?)"
	return upsertHead + row + strings.Repeat(","+row, n-1) + upsertTail
}

// upsertHead and upsertTail frame the VALUES rows of upsertRowsSQL.
const upsertHead = `
INSERT INTO requests (plan, name, bucket, region, job, seq, digest, type, input_kind, input,
	workflow, window_start, window_end, status, job_id, job_state, job_created, attempts,
	last_error_code, last_error_message, request_id, created_at, updated_at)
VALUES `

const upsertTail = `
ON CONFLICT (plan, name) DO UPDATE SET
	bucket=excluded.bucket, region=excluded.region, job=excluded.job, seq=excluded.seq,
	digest=excluded.digest, type=excluded.type, input_kind=excluded.input_kind,
	input=excluded.input, workflow=excluded.workflow, window_start=excluded.window_start,
	window_end=excluded.window_end, status=excluded.status, job_id=excluded.job_id,
	job_state=excluded.job_state, job_created=excluded.job_created,
	attempts=excluded.attempts, last_error_code=excluded.last_error_code,
	last_error_message=excluded.last_error_message, request_id=excluded.request_id,
	updated_at=excluded.updated_at
`

// outcomeSQL records the outcome of a request over the row of its intent: only the
// columns an outcome changes, and only when the row describes the same request (same
// position, content digest and job), so that it leaves the row exactly as upsertRowsSQL would.
// Indexed columns are not touched.
const outcomeSQL = `
UPDATE requests SET status=?, job_id=?, job_state=?, job_created=?, attempts=?,
	last_error_code=?, last_error_message=?, request_id=?, updated_at=?
WHERE plan=? AND name=? AND seq=? AND digest=? AND job=?
`

// outcomeRowsSQL is outcomeSQL for n rows in one statement: updated_at first, then 13
// values per row (the 8 outcome columns, then plan, name, seq, digest, job). A row whose
// request row is not as expected matches nothing, as with outcomeSQL; the caller compares
// the rows changed with n.
func outcomeRowsSQL(n int) string {
	const row = "(?,?,?,?,?,?,?,?,?,?,?,?,?)"
	return `
UPDATE requests SET status=v.column1, job_id=v.column2, job_state=v.column3,
	job_created=v.column4, attempts=v.column5, last_error_code=v.column6,
	last_error_message=v.column7, request_id=v.column8, updated_at=?
FROM (VALUES ` + row + strings.Repeat(","+row, n-1) + `) AS v
WHERE requests.plan=v.column9 AND requests.name=v.column10 AND requests.seq=v.column11
	AND requests.digest=v.column12 AND requests.job=v.column13
`
}

// jobStateSQL records a job state seen on the service.
const jobStateSQL = `
UPDATE requests SET job_state=?, job_created=CASE WHEN ?='' THEN job_created ELSE ? END,
	last_error_code=CASE WHEN ?='' THEN last_error_code ELSE ? END,
	last_error_message=CASE WHEN ?='' THEN last_error_message ELSE ? END,
	updated_at=? WHERE plan=? AND name=?
`

// recordColumns is the column list read back into a Record, in Record order.
const recordColumns = `plan, name, bucket, region, job, seq, digest, type, input_kind, input,
	workflow, window_start, window_end, status, job_id, job_state, job_created, attempts,
	last_error_code, last_error_message, request_id, created_at, updated_at`

// stampFormat renders state timestamps in UTC with a fixed width, so that they sort as text.
const stampFormat = "2006-01-02T15:04:05.000000000Z07:00"
