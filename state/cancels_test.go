package state

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"
)

// A cancel recorded through a second handle, opened without the lock while another
// holds it (planrun cancel beside a running loop), is seen by the holder; a read-only
// store records none and a file without the table reads none.
func TestUserCancelsAreSeenByTheHolder(t *testing.T) {
	ctx := context.Background()
	holder := openStore(t, "")
	if err := holder.Lock(); err != nil {
		t.Fatal(err)
	}
	other := openStore(t, holder.Path())
	if err := other.Lock(); !errors.Is(err, ErrStateInUse) {
		t.Fatalf("second lock: %v", err)
	}
	if err := other.PutUserCancels(ctx, []string{"b1", "b1", "b3"}); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]bool{"b1": true, "b2": false, "b3": true} {
		if got, err := holder.UserCancelled(ctx, id); err != nil || got != want {
			t.Errorf("UserCancelled(%s) = %v, %v; want %v", id, got, err, want)
		}
	}

	ro, err := OpenReadOnly(buildV1(t))
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if got, err := ro.UserCancelled(ctx, "b1"); got || err != nil {
		t.Errorf("a file without the table: %v, %v", got, err)
	}
	if err := ro.PutUserCancels(ctx, []string{"b1"}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("put on a read-only store: %v", err)
	}
}

// Counts keep the attempts of their objects; a file an older planrun migrated (the table
// without the column), read only, reads them as unknown.
func TestObjectCountsKeepAttempts(t *testing.T) {
	ctx := context.Background()
	path := buildV1(t)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(objectCountsSQL + `; INSERT INTO meta (key, value) VALUES ('additions', '1');
		INSERT INTO object_counts VALUES ('p', 'p-videos-1-bbbb', 'i0002', 412, 409, 3, 0, '{}', 1, '2024-01-01T00:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	ro, err := OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := collectCounts(t, ro); len(got) != 1 || got[0].Failed != 3 || got[0].Attempts != 0 {
		t.Errorf("counts of a file without attempts: %+v", got)
	}
	ro.Close()

	s := openStore(t, path)
	if err := s.PutObjectCounts(ctx, []ObjectCounts{{Plan: "p", Name: "p-videos-1-bbbb", JobID: "i0002",
		Objects: 412, Failed: 3, Succeeded: 409, Complete: true, ReadAt: time.Now(), Attempts: 2}}); err != nil {
		t.Fatal(err)
	}
	if got := collectCounts(t, s); len(got) != 1 || got[0].Attempts != 2 {
		t.Errorf("counts after migration: %+v", got)
	}
}
