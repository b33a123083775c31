package objects

import (
	"context"
	"time"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/state"
)

// StateCounts are the counts of the plans' own batch jobs (attempt 1; their objects at the
// latest attempt, as Latest counts them) whose listing was read to its end, as the state
// records them, read at at. Retry batch jobs and partial listings are left out.
func StateCounts(counts []executor.ObjectCounts, at time.Time) []state.ObjectCounts {
	var out []state.ObjectCounts
	for _, c := range counts {
		if c.Attempt > 1 || c.Err != nil || c.ID == "" {
			continue
		}
		out = append(out, state.ObjectCounts{Plan: c.Plan, Name: c.Name, JobID: c.ID, Objects: c.Objects,
			Succeeded: c.Succeeded, Failed: c.Failed, Running: c.Running, ByCode: c.ByCode, Complete: true, ReadAt: at, Attempts: c.Attempts})
	}
	return out
}

// SaveCounts records the counts of the plans' own batch jobs in store (see StateCounts).
func SaveCounts(ctx context.Context, store *state.Store, counts []executor.ObjectCounts) error {
	return store.PutObjectCounts(ctx, StateCounts(counts, time.Now()))
}
