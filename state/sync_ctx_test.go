package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/planrun/planrun/plan/request"
)

// A Sync whose context ends returns at once, even while the writer's queue is full and
// the writer waits for the file (another connection holds its write lock): it does not
// wait for room in the queue past its context. The writes queued meanwhile are all
// committed once the lock is released.
func TestSyncHonoursItsContextWhileTheQueueIsFull(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	store := openStore(t, path)
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	const hold = 3 * time.Second
	released := time.AfterFunc(hold, func() { _, _ = conn.ExecContext(context.Background(), `ROLLBACK`) })
	defer released.Stop()

	const rows = maxQueuedRows + 500
	filled := make(chan error, 1)
	go func() {
		for i := range rows {
			r := Record{Key: request.Key{Plan: "p", Name: fmt.Sprintf("p-%05d", i), Bucket: testBucket, Region: testRegion,
				Job: "j", Seq: i, Type: "Workflow", InputKind: "Prefix", Input: "in/", Workflow: "w"}, Digest: "d",
				Status: request.Sending}
			if err := store.SendRecord(&r); err != nil {
				filled <- err
				return
			}
		}
		filled <- nil
	}()
	deadline := time.Now().Add(hold / 2)
	for {
		store.w.mu.Lock()
		full := store.w.queuedRows >= maxQueuedRows
		store.w.mu.Unlock()
		if full {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the queue did not fill")
		}
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = store.Sync(ctx, nil)
	took := time.Since(start)
	if !errors.Is(err, context.DeadlineExceeded) || took > time.Second {
		t.Errorf("Sync with a context of 100ms on a full queue: %v after %v, want DeadlineExceeded at once", err, took)
	}
	if err := <-filled; err != nil {
		t.Fatal(err)
	}
	if err := store.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, err := range store.Records(context.Background(), "p") {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != rows {
		t.Errorf("%d rows committed, want %d", n, rows)
	}
}
