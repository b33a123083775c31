package state

import "strings"

// stateFormat is the marker stored in meta.format: a file without it is not ours.
const stateFormat = "planrun-state"

// stateSchemaVersion is the version of the tables below; bump it with a migration that an
// older planrun could not read through. Tables that only add to it are additions instead.
// Version 1 kept every column of a request as text (see migrateV1); version 2 keeps the
// strings that repeat on every row of a job once (request_plans, request_groups) and the
// rest in compact cells (see encode.go): about a third of the bytes per request.
const stateSchemaVersion = "2"

// additions are the tables added to the schema since version 1, in order, applied by Open
// to a file that lacks them (the migration of an older file; meta.additions counts those a
// file has). An older planrun of the same schema version reads and writes a file with them
// as before: it never touches them, so they leave stateSchemaVersion alone. Append; never
// edit or reorder. They apply to both schema versions: none may name a column of requests.
var additions = []string{objectCountsSQL, objectAttemptsSQL, userCancelsSQL}

// schemaSQL creates the state tables. Credentials are never stored anywhere in them.
const schemaSQL = `
CREATE TABLE IF NOT EXISTS meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS plans (
	plan         TEXT NOT NULL,
	generation   INTEGER NOT NULL,
	first_run_at TEXT NOT NULL,
	PRIMARY KEY (plan, generation)
);
` + requestsSQL

// requestsSQL creates the request tables of schema version 2. A request row names its
// plan and its group (the columns every request of a plan job input shares) by number; its
// name is kept without the plan's name in front (encodeName), times as integers
// (encodeTime, encodeStamp), digests, job ids and request ids as bytes (encodeHex,
// encodeBase64), statuses and job states as small integers (words). Empty text stays empty (no bytes).
const requestsSQL = `
CREATE TABLE IF NOT EXISTS request_plans (
	id   INTEGER PRIMARY KEY,
	plan TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS request_groups (
	id         INTEGER PRIMARY KEY,
	job        TEXT NOT NULL,
	bucket     TEXT NOT NULL,
	region     TEXT NOT NULL,
	type       TEXT NOT NULL,
	input_kind TEXT NOT NULL,
	input      TEXT NOT NULL,
	workflow   TEXT NOT NULL,
	UNIQUE (job, bucket, region, type, input_kind, input, workflow)
);
CREATE TABLE IF NOT EXISTS requests (
	plan_id            INTEGER NOT NULL,
	name               NOT NULL,
	seq                INTEGER NOT NULL,
	grp                INTEGER NOT NULL,
	digest             NOT NULL,
	window_start       NOT NULL DEFAULT '',
	window_end         NOT NULL DEFAULT '',
	status             NOT NULL,
	job_id             NOT NULL DEFAULT '',
	job_state          NOT NULL DEFAULT 0,
	job_created        NOT NULL DEFAULT '',
	attempts           INTEGER NOT NULL DEFAULT 0,
	last_error_code    TEXT NOT NULL DEFAULT '',
	last_error_message TEXT NOT NULL DEFAULT '',
	request_id         NOT NULL DEFAULT '',
	created_at         INTEGER NOT NULL,
	updated_at         INTEGER NOT NULL,
	PRIMARY KEY (plan_id, name)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS requests_plan_seq ON requests (plan_id, seq);
`

// upsertRowsSQL writes n request rows (17 values each, in the order of upsertHead);
// created_at is kept from the first write of a row.
func upsertRowsSQL(n int) string {
	const row = "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
	return upsertHead + row + strings.Repeat(","+row, n-1) + upsertTail
}

// intentRowsSQL writes n rows that carry no outcome (intents, rows given back unsent):
// upsertRowsSQL with the outcome columns as literals, 10 values per row instead of 17
// (binding a parameter cost more than the rest of writing the row).
func intentRowsSQL(n int) string {
	const row = "(?,?,?,?,?,?,?,?,'',0,'',0,'','','',?,?)"
	return upsertHead + row + strings.Repeat(","+row, n-1) + upsertTail
}

// upsertHead and upsertTail frame the VALUES rows of upsertRowsSQL.
const upsertHead = `
INSERT INTO requests (plan_id, name, seq, grp, digest, window_start, window_end, status,
	job_id, job_state, job_created, attempts, last_error_code, last_error_message, request_id,
	created_at, updated_at)
VALUES `

const upsertTail = `
ON CONFLICT (plan_id, name) DO UPDATE SET
	seq=excluded.seq, grp=excluded.grp, digest=excluded.digest,
	window_start=excluded.window_start, window_end=excluded.window_end, status=excluded.status,
	job_id=excluded.job_id, job_state=excluded.job_state, job_created=excluded.job_created,
	attempts=excluded.attempts, last_error_code=excluded.last_error_code,
	last_error_message=excluded.last_error_message, request_id=excluded.request_id,
	updated_at=excluded.updated_at
`

// outcomeSQL records the outcome of a request over the row of its intent: only the
// columns an outcome changes, and only when the row describes the same request (same
// position, content digest and group, which names the job), so that it leaves the row
// exactly as upsertRowsSQL would. Indexed columns are not touched.
const outcomeSQL = `
UPDATE requests SET status=?, job_id=?, job_state=?, job_created=?, attempts=?,
	last_error_code=?, last_error_message=?, request_id=?, updated_at=?
WHERE plan_id=? AND name=? AND seq=? AND digest=? AND grp=?
`

// outcomeRowsSQL is outcomeSQL for n rows in one statement: updated_at first, then 13
// values per row (the 8 outcome columns, then plan_id, name, seq, digest, grp). A row
// whose request row is not as expected matches nothing, as with outcomeSQL; the caller
// compares the rows changed with n.
func outcomeRowsSQL(n int) string {
	const row = "(?,?,?,?,?,?,?,?,?,?,?,?,?)"
	return `
UPDATE requests SET status=v.column1, job_id=v.column2, job_state=v.column3,
	job_created=v.column4, attempts=v.column5, last_error_code=v.column6,
	last_error_message=v.column7, request_id=v.column8, updated_at=?
FROM (VALUES ` + row + strings.Repeat(","+row, n-1) + `) AS v
WHERE requests.plan_id=v.column9 AND requests.name=v.column10 AND requests.seq=v.column11
	AND requests.digest=v.column12 AND requests.grp=v.column13
`
}

// jobStateSQL records a job state seen on the service: the state, then the creation time,
// code and message (each twice: as seen, and encoded), the update time, plan and name.
const jobStateSQL = `
UPDATE requests SET job_state=?, job_created=CASE WHEN ?='' THEN job_created ELSE ? END,
	last_error_code=CASE WHEN ?='' THEN last_error_code ELSE ? END,
	last_error_message=CASE WHEN ?='' THEN last_error_message ELSE ? END,
	updated_at=? WHERE plan_id=(SELECT id FROM request_plans WHERE plan=?) AND name=?
`

// recordColumns is the column list read back into a Record by scanRecord, from requests r
// joined with its plan p and group g.
const recordColumns = `p.plan, r.name, g.bucket, g.region, g.job, r.seq, r.digest, g.type,
	g.input_kind, g.input, g.workflow, r.window_start, r.window_end, r.status, r.job_id,
	r.job_state, r.job_created, r.attempts, r.last_error_code, r.last_error_message,
	r.request_id, r.created_at, r.updated_at`

// recordsFrom joins a request row with its plan and group. The plans come first (CROSS
// JOIN keeps that order), so that the rows come in plan and position order from the plans'
// and the positions' indexes: left to itself, SQLite may read the requests first and sort
// them all before the first row.
const recordsFrom = ` FROM request_plans p CROSS JOIN requests r ON r.plan_id=p.id JOIN request_groups g ON g.id=r.grp`

// stampFormat renders state timestamps in UTC with a fixed width, so that they sort as text.
const stampFormat = "2006-01-02T15:04:05.000000000Z07:00"
