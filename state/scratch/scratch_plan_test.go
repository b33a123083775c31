package scratch

import (
	"context"
	"strings"
	"testing"

	"github.com/planrun/planrun/internal/testenv"
	_ "github.com/planrun/planrun/internal/testflag" // accepts -update
)

// TestFollowedByIDSearchesByID guards the cost of a --wait round: matching one list page
// against the followed jobs must search the job id index, never scan the table or a whole
// group of the group index (which made a round over a million jobs quadratic).
func TestFollowedByIDSearchesByID(t *testing.T) {
	sc, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	ctx := context.Background()
	// A populated, analysed table: the planner's choice must not depend on the statistics.
	var jobs []Followed
	for i := range 2000 {
		jobs = append(jobs, Followed{Plan: "p", Name: "n", Bucket: "b", Region: "r", Type: "Workflow",
			JobID: "j" + strings.Repeat("0", i%7) + string(rune('a'+i%26)), State: "Running", Created: int64(i)})
	}
	if err := sc.AddFollowed(ctx, jobs); err != nil {
		t.Fatal(err)
	}
	// The load leaves the table unindexed (the index is built in one sort afterwards);
	// the first read builds it.
	var indexes int
	if err := sc.db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type='index' AND tbl_name='follow'`).Scan(&indexes); err != nil || indexes != 0 {
		t.Fatalf("after the load: %d indexes (%v), want 0", indexes, err)
	}
	if _, err := sc.FollowGroups(ctx); err != nil {
		t.Fatal(err)
	}
	for _, analyse := range []bool{false, true} {
		if analyse {
			if _, err := sc.db.Exec(`ANALYZE`); err != nil {
				t.Fatal(err)
			}
		}
		plan := testenv.QueryPlan(t, sc.db, followedByIDSQL(3), "ja", "jb", "jc", "b", "r", "Workflow")
		if len(plan) == 0 {
			t.Fatal("no query plan")
		}
		for _, line := range plan {
			if strings.HasPrefix(line, "SCAN") || !strings.Contains(line, "follow_id") {
				t.Errorf("analysed=%v: plan %q: want a search of the follow_id index", analyse, plan)
			}
		}
	}
	// A job added after the first read is found through the index built before it.
	if err := sc.AddFollowed(ctx, []Followed{{Plan: "p", Name: "late", Bucket: "b", Region: "r", Type: "Workflow", JobID: "zz"}}); err != nil {
		t.Fatal(err)
	}
	got, err := sc.FollowedByID(ctx, FollowGroup{"b", "r", "Workflow"}, []string{"ja", "ja", "zz"})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, j := range got {
		seen[j.JobID]++
	}
	if seen["ja"] == 0 || seen["zz"] != 1 || len(seen) != 2 {
		t.Errorf("got jobs %v, want ja and the late zz once", seen)
	}
	if other, err := sc.FollowedByID(ctx, FollowGroup{"b", "r", "Job"}, []string{"ja"}); err != nil || len(other) != 0 {
		t.Errorf("another group: got %d jobs, %v; want none", len(other), err)
	}
}
