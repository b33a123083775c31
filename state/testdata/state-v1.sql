-- A state file as planrun wrote it before the object_counts table (schema version 1, no
-- additions): the tests build it, then open it with this planrun.
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
INSERT INTO meta (key, value) VALUES ('format', 'planrun-state'), ('schema_version', '1'), ('endpoint', 'emulator');
INSERT INTO requests (plan, name, bucket, region, job, seq, digest, type, input_kind, input, workflow,
	window_start, window_end, status, job_id, job_state, job_created, attempts, created_at, updated_at)
VALUES ('p', 'p-videos-0-aaaa', 'examplebucket-1250000000', 'ap-beijing', 'videos', 0, 'd0', 'Workflow',
	'Prefix', 'input/video/', 'w1', '2024-01-01T00:00:00+0800', '2024-01-02T00:00:00+0800', 'triggered',
	'i0001', 'Success', '2024-01-03T00:00:00+0800', 1, '2024-01-03T00:00:00.000000000Z', '2024-01-03T00:00:00.000000000Z'),
	('p', 'p-videos-1-bbbb', 'examplebucket-1250000000', 'ap-beijing', 'videos', 1, 'd1', 'Workflow',
	'Prefix', 'input/video/', 'w1', '2024-01-02T00:00:00+0800', '2024-01-03T00:00:00+0800', 'triggered',
	'i0002', 'Failed', '2024-01-03T00:00:00+0800', 1, '2024-01-03T00:00:00.000000000Z', '2024-01-03T00:00:00.000000000Z');
INSERT INTO plans (plan, generation, first_run_at) VALUES ('p', 1, '2024-01-03T00:00:00.000000000Z');
