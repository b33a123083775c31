package report

import (
	"errors"
	"testing"
	"time"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/executor/follow"
	"github.com/planrun/planrun/internal/testflag"
	"github.com/planrun/planrun/plan/request"
)

// golden is testflag.Golden.
func golden(t *testing.T, name, got string) { testflag.Golden(t, name, got) }

var t0 = time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)

func fixtureMeta() Meta {
	return Meta{
		Plans: []PlanInfo{
			{Name: "video-backfill", Path: "plans/video.yaml", Generation: 2},
			{Name: "thumbs", Path: "plans/thumbs.yaml", Generation: 1},
			{Name: "idle", Path: "plans/idle.yaml", Generation: 1},
		},
		Started:     t0,
		Finished:    t0.Add(3*time.Second + 250*time.Millisecond),
		Shard:       "1/2",
		Endpoint:    "http://user:hunter2@127.0.0.1:9000/?token=abc",
		Interrupted: true,
	}
}

// fixtureResults are the results of a run with every kind of outcome.
func fixtureResults() []executor.Result {
	base := func(plan, job, name string, seq int) executor.Result {
		return executor.Result{Key: request.Key{Plan: plan, Job: job, Name: name, Seq: seq,
			Bucket: "examplebucket-1250000000", Region: "ap-beijing", Type: "Workflow", InputKind: "Prefix",
			Input: "input/video/", Workflow: "w7476ff3564ee45b7b490d64bccaba6cc",
			Start: mustTime("2024-01-01T00:00:00+0800"), End: mustTime("2024-01-02T00:00:00+0800")}}
	}
	r0 := base("video-backfill", "videos", "video-backfill-videos-0-aaaa", 0)
	r0.Status, r0.JobID, r0.JobState, r0.Attempts = request.Triggered, "b1111", "Submitted", 1
	r1 := base("video-backfill", "videos", "video-backfill-videos-1-bbbb", 1)
	r1.Status, r1.JobID, r1.JobState, r1.Reason = request.Skipped, "b2222", "Success", "state"
	r2 := base("video-backfill", "videos", "video-backfill-videos-2-cccc", 2)
	r2.Status, r2.Attempts = request.Failed, 1
	r2.Code, r2.Message, r2.RequestID = "InvalidArgument", "bad prefix: 100%, a,b: <x>\nsecond line", "NjU4YmQ0ZDhf"
	r2.Err = errors.New("create: InvalidArgument")
	r3 := base("video-backfill", "one-file", "video-backfill-one-file-0-dddd", 3)
	r3.InputKind, r3.Input, r3.Workflow, r3.Start, r3.End = "Object", "input/video/launch.mp4", "", time.Time{}, time.Time{}
	r3.Type = "Job"
	r3.Status = request.Planned
	r4 := base("thumbs", "all", "thumbs-all-0-eeee", 0)
	r4.Status, r4.Attempts = request.Failed, 6
	r4.Err = errors.New("post inventorytriggerjob: dial tcp 127.0.0.1:9: connection refused")
	return []executor.Result{r0, r1, r2, r3, r4}
}

// fixtureSummary is the executor's summary of fixtureResults; "one-file" planned one
// more request that the interruption never reached.
func fixtureSummary() *executor.Summary {
	rs := fixtureResults()
	return &executor.Summary{
		Jobs: []executor.JobCounts{
			{Plan: "video-backfill", Job: "videos", Counts: executor.Counts{Planned: 3, Skipped: 1, Triggered: 1, Failed: 1}},
			{Plan: "video-backfill", Job: "one-file", Counts: executor.Counts{Planned: 2}},
			{Plan: "thumbs", Job: "all", Counts: executor.Counts{Planned: 1, Failed: 1}},
		},
		Total:    executor.Counts{Planned: 6, Skipped: 1, Triggered: 1, Failed: 2},
		Failures: []executor.Result{rs[2], rs[4]},
	}
}

func fixtureWait() *executor.WaitSummary {
	failed := executor.JobStatus{Plan: "video-backfill", Job: "videos", Name: "video-backfill-videos-0-aaaa",
		JobID: "b1111", State: "Failed", Code: "InternalError", Message: "transcode | failed"}
	ws := follow.NewWaitSummary([]executor.JobStatus{failed})
	ws.States["Success"] = 1 // a job of another run's request: counted, not listed
	return ws
}

// mustTime reads a window bound as the state does.
func mustTime(s string) time.Time {
	t, err := request.ParseTime(s)
	if err != nil {
		panic(err)
	}
	return t
}
