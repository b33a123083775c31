package session

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/planrun/planrun/plan/request"
	"github.com/planrun/planrun/report/grid"
	"github.com/planrun/planrun/state"
)

// TestReadGridJoinsKeptCounts: the grid read from a state has the object counts the state
// keeps, on the right cells, also past a request keep leaves out; a request whose batch
// job is not the one counted has none.
func TestReadGridJoinsKeptCounts(t *testing.T) {
	ctx := context.Background()
	store, err := state.Open(filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var recs []state.Record
	for i, name := range []string{"p-b", "p-a", "p-c", "p-d"} { // seq order differs from name order
		recs = append(recs, state.Record{Key: request.Key{Plan: "p", Name: name, Job: "j", Seq: i},
			Status: request.Triggered, JobID: "i" + name, JobState: "Success"})
	}
	if err := store.Sync(ctx, &state.Write{Records: recs}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := store.PutObjectCounts(ctx, []state.ObjectCounts{
		{Plan: "p", Name: "p-a", JobID: "ip-a", Objects: 10, Failed: 1, ReadAt: now},
		{Plan: "p", Name: "p-b", JobID: "ip-b", Objects: 20, Failed: 2, ReadAt: now},
		{Plan: "p", Name: "p-c", JobID: "another", Objects: 30, Failed: 3, ReadAt: now},
		{Plan: "p", Name: "p-d", JobID: "ip-d", Objects: 40, Failed: 4, ReadAt: now},
	}); err != nil {
		t.Fatal(err)
	}
	got := map[string][3]int{}
	g := cellRecorder(func(c grid.GridCell) {
		has := 0
		if c.HasCounts {
			has = 1
		}
		got[c.Name] = [3]int{c.Objects, c.ObjectsFailed, has}
	})
	if err := readGrid(ctx, g, store, []string{"p"}, func(name string) bool { return name != "p-b" }, nil); err != nil {
		t.Fatal(err)
	}
	want := map[string][3]int{"p-a": {10, 1, 1}, "p-c": {0, 0, 0}, "p-d": {40, 4, 1}}
	if len(got) != len(want) {
		t.Fatalf("cells %v, want %v", got, want)
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: objects, failed, counted %v, want %v", name, got[name], w)
		}
	}
}

// cellRecorder is a grid.Adder that hands each request to a function.
type cellRecorder func(grid.GridCell)

func (f cellRecorder) Add(c grid.GridCell) { f(c) }
