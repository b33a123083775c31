package session

import (
	"context"
	"errors"
	"fmt"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/objects"
	"github.com/planrun/planrun/output"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/report"
	"github.com/planrun/planrun/report/results"
)

// Results is planrun results: every object's outcome in the batch jobs of the plans under
// paths, in --format, the failed ones alone with failed. Failed when an object failed or
// a result could not be read.
func (s *Session) Results(ctx context.Context, paths []string, failed bool) error {
	if err := s.NeedPlans(paths); err != nil {
		return err
	}
	plans, sel, err := s.LoadSelected(paths, "text")
	if err != nil {
		return err
	}
	if err := output.CheckOutputs(s.Service.StatePath(), plan.Paths(plans), output.Output{Flag: "--html", Path: s.Out.HTML}); err != nil {
		return s.Usagef("%v", err)
	}
	api, closeAPI, err := s.Client()
	if err != nil {
		return err
	}
	defer closeAPI()
	store, err := s.OpenState(ctx, Existing, true) // results only read; the counts are saved when it can be written
	if err != nil {
		return err
	}
	if store != nil {
		defer s.closeState(store)
	} else if s.Out.HTML != "" {
		return s.Usagef("--html draws the requests of the state file; there is none at %s", s.Service.StatePath())
	}
	opts := s.Options(nil, sel.Filter())
	counted := executor.CountCalls(api)
	// The live line on stderr only when the results do not stream to the same terminal.
	stop := readProgress(s.IO.Console(), counted, "reading the results", s.IO.StdoutTTY)
	defer stop()
	jobs, missing, err := objects.ResultBatchJobs(ctx, counted, store, plans, opts)
	if err != nil {
		return s.serviceError(fmt.Errorf("results: %w", err))
	}
	bad := results.WriteMissing(s.IO.Stderr, missing, true)
	w, err := report.NewResults(s.Out.Format, s.IO.Stdout, results.ResultsOptions{FailedOnly: failed, Color: s.IO.Color(),
		Width: s.IO.TableWidth(), Wide: s.Out.Wide})
	if err != nil {
		return UsageError{err}
	}
	anyFailed := false
	counts, rerr := objects.Latest(ctx, counted, store, jobs, opts, func(r executor.ObjectResult) error {
		anyFailed = anyFailed || r.Failed()
		return w.Write(&r)
	})
	stop()
	if err := w.Finish(counts); err != nil {
		return errors.Join(rerr, err)
	}
	if rerr != nil {
		return s.serviceError(fmt.Errorf("results: %w", rerr))
	}
	s.saveCounts(ctx, store, counts, false)
	if s.Out.HTML != "" {
		if err := WriteStateGridPage(ctx, s.Out.HTML, store, plan.Names(plans), nil, counts); err != nil {
			return err
		}
	}
	if results.WriteProblems(s.IO.Stderr, s.Out.Format, counts) > 0 || anyFailed || bad {
		return Failed
	}
	return nil
}
