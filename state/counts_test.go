package state

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/planrun/planrun/plan/request"
)

// collectCounts reads every count of plans.
func collectCounts(t *testing.T, s *Store, plans ...string) []ObjectCounts {
	t.Helper()
	var out []ObjectCounts
	for c, err := range s.ObjectCountsOf(context.Background(), plans...) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

func TestObjectCountsRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, "")
	recs := []Record{
		{Key: request.Key{Plan: "p", Name: "p-a", Job: "j"}, Status: request.Triggered, JobID: "i1"},
		{Key: request.Key{Plan: "p", Name: "p-b", Job: "j", Seq: 1}, Status: request.Triggered, JobID: "i2"},
		{Key: request.Key{Plan: "q", Name: "q-a", Job: "j"}, Status: request.Triggered, JobID: "i3"},
	}
	if err := s.Sync(ctx, &Write{Records: recs}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)
	put := []ObjectCounts{
		{Plan: "p", Name: "p-a", JobID: "i1", Objects: 412, Succeeded: 409, Failed: 3,
			ByCode: map[string]int{"InternalError": 2, "": 1}, Complete: true, ReadAt: at},
		// counted for a batch job the request no longer names: not the request's counts
		{Plan: "p", Name: "p-b", JobID: "old", Objects: 5, Succeeded: 5, Complete: true, ReadAt: at},
		{Plan: "q", Name: "q-a", JobID: "i3", Objects: 7, Running: 7, ReadAt: at},
	}
	if err := s.PutObjectCounts(ctx, put); err != nil {
		t.Fatal(err)
	}
	got := collectCounts(t, s, "p")
	if len(got) != 1 || got[0].Name != "p-a" || got[0].Objects != 412 || got[0].Failed != 3 || got[0].Succeeded != 409 ||
		got[0].ByCode["InternalError"] != 2 || got[0].ByCode[""] != 1 || !got[0].Complete || !got[0].ReadAt.Equal(at) {
		t.Fatalf("counts of p: %+v", got)
	}
	// A later read replaces the counts.
	put[0].Failed, put[0].Succeeded, put[0].ByCode = 0, 412, nil
	if err := s.PutObjectCounts(ctx, put[:1]); err != nil {
		t.Fatal(err)
	}
	got = collectCounts(t, s)
	if len(got) != 2 || got[0].Failed != 0 || got[0].Succeeded != 412 || len(got[0].ByCode) != 0 ||
		got[1].Name != "q-a" || got[1].Running != 7 || got[1].Complete {
		t.Fatalf("all counts: %+v", got)
	}
}

// buildV1 makes a state file as planrun wrote it before the object_counts table.
func buildV1(t *testing.T) string {
	t.Helper()
	script, err := os.ReadFile(filepath.Join("testdata", "state-v1.sql"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "state.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(string(script) + `; PRAGMA journal_mode=WAL`); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestOldStateFileGainsObjectCounts(t *testing.T) {
	ctx := context.Background()
	path := buildV1(t)

	// Read-only, the old file is read as it is: its requests, no counts, nothing written.
	ro, err := OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for r, err := range ro.Records(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, r.Name+"/"+r.JobState)
	}
	if !slices.Equal(names, []string{"p-videos-0-aaaa/Success", "p-videos-1-bbbb/Failed"}) {
		t.Errorf("records of the old file: %v", names)
	}
	if got := collectCounts(t, ro); len(got) != 0 {
		t.Errorf("counts of an old file: %+v", got)
	}
	if err := ro.PutObjectCounts(ctx, []ObjectCounts{{Plan: "p", Name: "p-videos-0-aaaa"}}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("put on a read-only store: %v", err)
	}
	ro.Close()

	// Read-write, it is migrated: the table is added, rows and endpoint are kept.
	s := openStore(t, path)
	if err := s.CheckEndpoint(ctx, "emulator"); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.Lookup(ctx, "p", "p-videos-1-bbbb"); err != nil || !ok {
		t.Fatalf("lookup after migration: %v %v", ok, err)
	}
	if err := s.PutObjectCounts(ctx, []ObjectCounts{{Plan: "p", Name: "p-videos-1-bbbb", JobID: "i0002",
		Objects: 412, Failed: 3, Succeeded: 409, Complete: true, ReadAt: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	var additionsHad string
	if err := s.db.QueryRow(`SELECT value FROM meta WHERE key='additions'`).Scan(&additionsHad); err != nil || additionsHad != strconv.Itoa(len(additions)) {
		t.Errorf("meta.additions %q (%v), want %d", additionsHad, err, len(additions))
	}
	s.Close()

	// Opened again (read-only and read-write) the counts are there, in a file of the
	// current schema version (migrated by the read-write open).
	ro, err = OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if got := collectCounts(t, ro); len(got) != 1 || got[0].Failed != 3 || got[0].Objects != 412 {
		t.Errorf("counts after migration: %+v", got)
	}
	var version string
	if err := ro.db.QueryRow(`SELECT value FROM meta WHERE key='schema_version'`).Scan(&version); err != nil || version != stateSchemaVersion {
		t.Errorf("schema_version %q (%v)", version, err)
	}
	openStore(t, path).Close()
}
