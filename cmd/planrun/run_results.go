package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/report"
	"github.com/planrun/planrun/state"
)

// resultsFile is the --results file of run --wait: opened (as a temporary file beside it)
// before anything is sent, so a bad path fails first; written after --wait; renamed into
// place once complete.
type resultsFile struct {
	path string
	tmp  *os.File
}

// openResultsFile opens the --results file; nil when path is empty.
func openResultsFile(path string) (*resultsFile, error) {
	if path == "" {
		return nil, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, usageError{fmt.Errorf("--results: %w", err)}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return nil, usageError{fmt.Errorf("--results: %w", err)}
	}
	return &resultsFile{path: path, tmp: tmp}, nil
}

// abort removes the temporary file of an unfinished write; safe on nil and after write.
func (rf *resultsFile) abort() {
	if rf != nil && rf.tmp != nil {
		rf.tmp.Close()
		os.Remove(rf.tmp.Name())
		rf.tmp = nil
	}
}

// write reads the per-object results of the batch jobs --wait followed (their latest
// attempts, as planrun results reads them) into the file as JSON Lines, and returns the
// counts. For a retry (origins set), the batch jobs read are the original plans' and the
// objects written are those whose latest attempt is one of the followed retries; the
// counts are those of every batch job of the original plans.
func (rf *resultsFile) write(ctx context.Context, api executor.API, store *state.Store, plans, origins []*plan.Plan,
	wait *executor.WaitSummary, opts executor.Options) (*report.ObjectTotals, []executor.ObjectCounts, []string, error) {
	la, ok := api.(executor.LatestAPI)
	if !ok {
		return nil, nil, nil, fmt.Errorf("--results: the client cannot read results")
	}
	followed := map[string]bool{}
	for _, j := range wait.Jobs {
		if j.JobID != "" {
			followed[j.JobID] = true
		}
	}
	keep := func(executor.ObjectResult) bool { return true }
	if origins != nil {
		plans = origins
		keep = func(r executor.ObjectResult) bool { return followed[r.BatchJobID] }
	}
	jobs, _, err := executor.ResultBatchJobs(ctx, api, store, plans, opts)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("--results: %w", err)
	}
	if origins == nil {
		kept := jobs[:0]
		for _, j := range jobs {
			if followed[j.ID] {
				kept = append(kept, j)
			}
		}
		jobs = kept
	}
	bw := bufio.NewWriter(rf.tmp)
	w, err := report.NewResults(report.ResultsJSON, bw, report.ResultsOptions{})
	if err != nil {
		return nil, nil, nil, err
	}
	totals := report.NewObjectTotals()
	counts, err := executor.Latest(ctx, la, store, jobs, opts, func(r executor.ObjectResult) error {
		if !keep(r) {
			return nil
		}
		totals.Add(&r)
		return w.Write(&r)
	})
	if err == nil {
		err = w.Finish(counts)
	}
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = rf.tmp.Close()
	}
	if err == nil {
		err = os.Rename(rf.tmp.Name(), rf.path)
	}
	problems := report.ProblemLines(counts)
	if err != nil {
		rf.abort()
		return totals, counts, problems, fmt.Errorf("write --results %s: %w", rf.path, err)
	}
	rf.tmp = nil
	return totals, counts, problems, nil
}
