package state

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan/request"
)

// buildV1Varied makes a version 1 state file (testdata/state-v1.sql) with more rows, of
// every shape the compact cells of version 2 must keep as they are: a name without its
// plan in front, an uppercase digest, text that is not base64, odd offsets, a time
// before 1970, words planrun does not know, attempts.
func buildV1Varied(t *testing.T) string {
	t.Helper()
	path := buildV1(t)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const stamp = "2024-01-03T00:00:00.123456789Z"
	_, err = db.Exec(`INSERT INTO requests (plan, name, bucket, region, job, seq, digest, type, input_kind, input,
		workflow, window_start, window_end, status, job_id, job_state, job_created, attempts, last_error_code,
		last_error_message, request_id, created_at, updated_at) VALUES
	('p', 'other-name', 'b2-1250000000', 'ap-shanghai', 'one', 2, 'ABCDEF', 'Job', 'Object', 'a.mp4',
		'', '', '', 'failed', '', '', '', 3, 'SlowDown', 'slow down', 'not base64!', ?1, ?1),
	('p', 'p-videos-0-aaaa-a2', 'examplebucket-1250000000', 'ap-beijing', 'videos', 0,
		'e3767b60186f5914ed8d73bde53016b3ca920c545080872d11aba4d57c5b4295', 'Workflow', 'Prefix', 'input/video/',
		'w1', '1960-01-01T00:00:00-0330', '2024-01-02T00:00:00+0545', 'sending', 'bb417c8e58d1bc2cdbda475ee5780a34e',
		'Running', '2024-01-03T00:00:00+0800', 1, '', '', 'NmIxNzQ3MGRfMzQ2MWMxY2ZfY2VjM19hYTIy', ?1, ?1),
	('q', 'q-x', 'examplebucket-1250000000', 'ap-beijing', 'x', 0, 'd9', 'Workflow', 'Prefix', 'in/',
		'w1', '2024-01-01T00:00:00Z', '2024-01-01', 'weird', 'B1', 'Paused?', 'yesterday', 0, '', '', 'QQ==', 'x', ?1)`, stamp)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// readAll reads every row of the store, then each again by Lookup.
func readAll(t *testing.T, s *Store) []Record {
	t.Helper()
	ctx := context.Background()
	var out []Record
	for r, err := range s.Records(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	for _, r := range out {
		got, ok, err := s.Lookup(ctx, r.Plan, r.Name)
		if err != nil || !ok || !reflect.DeepEqual(got, r) {
			t.Fatalf("lookup %s/%s: %+v %v %v, want %+v", r.Plan, r.Name, got, ok, err, r)
		}
	}
	return out
}

// sameRows reports whether got holds the rows of want, in plan and position order (rows
// at one position, a request's attempts, come in no particular order).
func sameRows(got, want []Record) bool {
	for i := 1; i < len(got); i++ {
		if a, b := &got[i-1], &got[i]; a.Plan > b.Plan || a.Plan == b.Plan && a.Seq > b.Seq {
			return false
		}
	}
	order := func(a, b Record) int {
		return cmp.Or(cmp.Compare(a.Plan, b.Plan), cmp.Compare(a.Seq, b.Seq), cmp.Compare(a.Name, b.Name))
	}
	got, want = slices.Clone(got), slices.Clone(want)
	slices.SortFunc(got, order)
	slices.SortFunc(want, order)
	return reflect.DeepEqual(got, want)
}

// schemaVersion reads the schema version of the file at path without opening it as a state.
func schemaVersion(t *testing.T, path string) string {
	t.Helper()
	return readScalar(t, path, `SELECT value FROM meta WHERE key='schema_version'`)
}

// readScalar reads the one value query gives on the file at path, opened read-only as a
// plain SQLite file (not as a state).
func readScalar(t *testing.T, path, query string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v string
	if err := db.QueryRow(query).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// fileBytes reads the state file and its write-ahead log.
func fileBytes(path string) []byte {
	a, _ := os.ReadFile(path)
	b, _ := os.ReadFile(path + "-wal")
	return append(a, b...)
}

func TestOldStateFileMigratesInPlace(t *testing.T) {
	ctx := context.Background()
	path := buildV1Varied(t)
	before := fileBytes(path)

	// Read-only, the old file is read as it is and not written.
	ro, err := OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	old := readAll(t, ro)
	ro.Close()
	if len(old) != 5 {
		t.Fatalf("old file: %d rows, want 5: %+v", len(old), old)
	}
	if !bytes.Equal(before, fileBytes(path)) || schemaVersion(t, path) != "1" {
		t.Fatal("a read-only open changed the old file")
	}

	// The first read-write open migrates it: every row reads back the same, by Records
	// and by Lookup, in the same order.
	s := openStore(t, path)
	if got := readAll(t, s); !sameRows(got, old) {
		t.Fatalf("after migration:\n%+v\nwant\n%+v", got, old)
	}
	if v := schemaVersion(t, path); v != stateSchemaVersion {
		t.Fatalf("schema version %s after migration", v)
	}
	var leftover int
	if err := s.db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name='requests_v1'`).Scan(&leftover); err != nil || leftover != 0 {
		t.Fatalf("old table left: %d (%v)", leftover, err)
	}

	// The writer carries on over the migrated rows: the outcome of the request left
	// sending lands on its row, a job state on another.
	byName := func(rows []Record, name string) Record {
		for _, r := range rows {
			if r.Name == name {
				return r
			}
		}
		t.Fatalf("no row %s in %+v", name, rows)
		return Record{}
	}
	sending := byName(old, "p-videos-0-aaaa-a2")
	sending.Status, sending.JobState, sending.RequestID = request.Triggered, "Submitted", "QUJD"
	if err := s.Sync(ctx, &Write{Records: []Record{sending},
		Jobs: []JobSeen{{Plan: "q", Name: "q-x", State: "Success", Created: "2024-01-05T00:00:00+0800"}}}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	ro, err = OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	got := readAll(t, ro)
	a2, x := byName(got, sending.Name), byName(got, "q-x")
	if len(got) != len(old) || a2.Status != request.Triggered || a2.RequestID != "QUJD" || a2.JobID != sending.JobID ||
		x.JobState != "Success" || x.JobCreated != "2024-01-05T00:00:00+0800" || x.Status != "weird" {
		t.Fatalf("writes after migration: %+v", got)
	}
}

func TestMigrationStoppedMidwayLeavesTheOldFile(t *testing.T) {
	t.Cleanup(func() { migrateFault = nil })
	for step := range migrateV1SQL {
		path := buildV1Varied(t)
		ro, err := OpenReadOnly(path)
		if err != nil {
			t.Fatal(err)
		}
		old := readAll(t, ro)
		ro.Close()

		migrateFault = func(i int) error {
			if i == step {
				return errors.New("injected failure")
			}
			return nil
		}
		if s, err := Open(path); err == nil || !strings.Contains(err.Error(), "injected failure") {
			if err == nil {
				s.Close()
			}
			t.Fatalf("step %d: open gave %v, want the injected failure", step, err)
		}
		migrateFault = nil
		checkLeftAtV1(t, path, old, fmt.Sprintf("step %d, a failed migration", step))
	}
}

// killEnv names the file and step at which the child of TestMigrationKilledMidway kills
// itself.
const killEnv = "PLANRUN_TEST_MIGRATION_KILL"

func TestMigrationKilledMidway(t *testing.T) {
	if v := os.Getenv(killEnv); v != "" {
		// The child: migrate, and kill -9 itself at the step asked.
		path, stepText, _ := strings.Cut(v, "|")
		step, _ := strconv.Atoi(stepText)
		migrateFault = func(i int) error {
			if i == step {
				p, _ := os.FindProcess(os.Getpid())
				p.Kill()
				select {}
			}
			return nil
		}
		Open(path)
		t.Fatal("the migration was not killed")
	}
	if testing.Short() {
		t.Skip("starts a process per step")
	}
	for _, step := range []int{3, 5, len(migrateV1SQL) - 1} {
		path := buildV1Varied(t)
		ro, err := OpenReadOnly(path)
		if err != nil {
			t.Fatal(err)
		}
		old := readAll(t, ro)
		ro.Close()

		cmd := exec.Command(os.Args[0], "-test.run=^TestMigrationKilledMidway$", "-test.count=1")
		cmd.Env = append(os.Environ(), killEnv+"="+path+"|"+strconv.Itoa(step))
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.Exited() {
			t.Fatalf("step %d: the child was not killed: %v\n%s", step, err, out)
		}
		checkLeftAtV1(t, path, old, fmt.Sprintf("step %d, a killed migration", step))
	}
}

// checkLeftAtV1 checks that the file at path, after a migration that did not finish
// (what), is still version 1 holding the rows old, and that the next read-write open
// converts it with the same rows.
func checkLeftAtV1(t *testing.T, path string, old []Record, what string) {
	t.Helper()
	if v := schemaVersion(t, path); v != "1" {
		t.Fatalf("%s: schema version %s, want 1", what, v)
	}
	ro, err := OpenReadOnly(path)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if got := readAll(t, ro); !sameRows(got, old) {
		t.Fatalf("%s: rows:\n%+v\nwant\n%+v", what, got, old)
	}
	ro.Close()
	s := openStore(t, path)
	if got := readAll(t, s); !sameRows(got, old) {
		t.Fatalf("%s: rows after the migration:\n%+v\nwant\n%+v", what, got, old)
	}
	s.Close()
}

func TestNewerStateFileIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	openStore(t, path).Close()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE meta SET value='3' WHERE key='schema_version'`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before := fileBytes(path)
	for name, open := range map[string]func(string) (*Store, error){"read-write": Open, "read-only": OpenReadOnly} {
		s, err := open(path)
		if err == nil {
			s.Close()
			t.Fatalf("%s: a newer file opened", name)
		}
		if !errors.Is(err, ErrForeignState) || !strings.Contains(err.Error(), "written by a newer planrun") ||
			!strings.Contains(err.Error(), "upgrade") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if !bytes.Equal(before, fileBytes(path)) {
		t.Error("a refused newer file was changed")
	}
}

// TestRequestReadsUseTheIndexes guards the cost of reading a large state: every read of
// request rows searches an index, and the rows in plan and position order come from the
// indexes, never from a sort of every row (which would hold a million rows in a temporary
// tree before the first one comes out).
func TestRequestReadsUseTheIndexes(t *testing.T) {
	s := openStore(t, "")
	q := s.q
	for name, query := range map[string]string{
		"records":       q.records + q.order,
		"records of":    q.records + ` WHERE ` + q.plan + ` IN (?, ?)` + q.order,
		"lookup":        q.lookup,
		"has plan":      q.hasPlan,
		"job state":     jobStateSQL,
		"outcome":       outcomeSQL,
		"outcome rows":  outcomeRowsSQL(2),
		"intent upsert": intentRowsSQL(2),
	} {
		n := strings.Count(query, "?")
		args := make([]any, n)
		for i := range args {
			args[i] = "x"
		}
		plan := strings.Join(testenv.QueryPlan(t, s.db, query, args...), "; ")
		if strings.Contains(plan, "TEMP B-TREE") || strings.Contains(plan, "SCAN r ") && !strings.Contains(plan, "SCAN p") ||
			strings.Contains(plan, "SCAN requests") {
			t.Errorf("%s: %s", name, plan)
		}
	}
}

func TestReadingCommandsLeaveAnOldFileAlone(t *testing.T) {
	path := buildV1Varied(t)
	before := fileBytes(path)
	s, err := OpenOrRead(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, s); len(got) != 5 {
		t.Fatalf("rows: %+v", got)
	}
	if err := s.Lock(); !errors.Is(err, ErrReadOnly) {
		t.Errorf("lock of an old file opened to read: %v", err)
	}
	s.Close()
	if !bytes.Equal(before, fileBytes(path)) || schemaVersion(t, path) != "1" {
		t.Fatal("OpenOrRead changed an old file")
	}
	// A file of the current version opens for writing.
	openStore(t, path).Close()
	s, err = OpenOrRead(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Lock(); err != nil {
		t.Errorf("lock of a current file: %v", err)
	}
}

func TestMigrationWaitsForTheLockHolder(t *testing.T) {
	path := buildV1Varied(t)
	holder := openStore(t, filepath.Join(t.TempDir(), "other.db"))
	holder.file = path // hold the old file's lock as a run of any planrun would
	if err := holder.lockFiles(); err != nil {
		t.Fatal(err)
	}
	before := fileBytes(path)
	if s, err := Open(path); err == nil || !errors.Is(err, ErrStateInUse) {
		if err == nil {
			s.Close()
		}
		t.Fatalf("open of an old file someone holds: %v, want ErrStateInUse", err)
	}
	if !bytes.Equal(before, fileBytes(path)) {
		t.Fatal("a held old file was changed")
	}
	holder.release()
	s := openStore(t, path)
	if err := s.Lock(); err != nil {
		t.Fatalf("the migration kept the lock: %v", err)
	}
	if v := schemaVersion(t, path); v != stateSchemaVersion {
		t.Fatalf("schema version %s", v)
	}
}

// A reading command (status, results) on an old file that another planrun is migrating
// reads it as it was, at once: the migration is one long write transaction (and a VACUUM
// after it), and waiting for it ran into the busy timeout ("database is locked").
func TestReadingCommandsReadAnOldFileBeingMigrated(t *testing.T) {
	path := buildV1Varied(t)
	holdWrite(t, path)
	start := time.Now()
	s, err := OpenOrRead(path)
	if err != nil {
		t.Fatalf("open while a migration writes: %v (after %v)", err, time.Since(start))
	}
	defer s.Close()
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("open waited %v for the migration", d)
	}
	if got := readAll(t, s); len(got) != 5 {
		t.Fatalf("rows: %+v", got)
	}
	if err := s.Flush(context.Background()); err != nil || !s.ReadOnly() {
		t.Fatalf("an old file opened to read: read-only %v, %v", s.ReadOnly(), err)
	}
}

// The same for a file of the current version under a long write (the compaction after a
// migration): status opens it without waiting.
func TestReadingCommandsOpenACurrentFileUnderAWrite(t *testing.T) {
	path := buildV1Varied(t)
	openStore(t, path).Close() // migrated
	holdWrite(t, path)
	start := time.Now()
	s, err := OpenOrRead(path)
	if err != nil {
		t.Fatalf("open while another writes: %v (after %v)", err, time.Since(start))
	}
	defer s.Close()
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("open waited %v for the writer", d)
	}
	if got := readAll(t, s); len(got) != 5 {
		t.Fatalf("rows: %+v", got)
	}
}

// A reading command that opened an old file before another planrun migrated it says so,
// where its reads failed with "no such column: r.plan".
func TestReadOfAnOldFileMigratedMeanwhile(t *testing.T) {
	path := buildV1Varied(t)
	s, err := OpenOrRead(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	openStore(t, path).Close() // migrated by a run
	ctx := context.Background()
	var errs []error
	for _, err := range s.Records(ctx) {
		errs = append(errs, err)
		break
	}
	_, _, err = s.Lookup(ctx, "p", "p-x")
	errs = append(errs, err)
	_, err = s.HasPlan(ctx, "p")
	errs = append(errs, err)
	for _, err := range errs {
		if err == nil || !strings.Contains(err.Error(), "converted") || !strings.Contains(err.Error(), "run the command again") {
			t.Errorf("read of an old file migrated meanwhile: %v", err)
		}
	}
}

// A second run on an old file that another planrun is migrating (it holds the lock and
// the write transaction) is told at once that the file is in use, where it waited for the
// migration until the busy timeout and failed with "database is locked"; the same while
// the migration compacts the migrated file.
func TestOpenBesideAMigration(t *testing.T) {
	for _, migrated := range []bool{false, true} {
		path := buildV1Varied(t)
		if migrated {
			openStore(t, path).Close()
		}
		holder := openStore(t, filepath.Join(t.TempDir(), "other.db"))
		holder.file = path
		if err := holder.lockFiles(); err != nil {
			t.Fatal(err)
		}
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		conn, err := db.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(context.Background(), `BEGIN IMMEDIATE`); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		s, err := Open(path)
		if err == nil {
			err = s.Lock()
			s.Close()
		}
		if !errors.Is(err, ErrStateInUse) || time.Since(start) > 5*time.Second {
			t.Errorf("migrated %v: open beside a migration: %v after %v, want ErrStateInUse at once", migrated, err, time.Since(start))
		}
		conn.ExecContext(context.Background(), `ROLLBACK`)
		conn.Close()
		db.Close()
		holder.release()
	}
}

// holdWrite opens a write transaction on the file at path, as a migrating planrun holds
// one, until the test ends.
func holdWrite(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(context.Background())
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), `BEGIN IMMEDIATE`); err != nil {
		conn.Close()
		db.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.ExecContext(context.Background(), `ROLLBACK`)
		conn.Close()
		db.Close()
	})
}
