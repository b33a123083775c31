package session

import (
	"context"
	"fmt"
	"time"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/objects"
	"github.com/planrun/planrun/output"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/report"
)

// RunOptions are the flags of run (and of retry, which runs its requests like run) that
// are not in a group; cmd declares them.
type RunOptions struct {
	DryRun, FailFast, Wait, Quiet bool
	Refresh, DetailedExit         bool
	LogFormat                     string
	MaxRequests, MaxFailures      int
	PollInterval                  time.Duration
	SettleWindow                  time.Duration // 0: derived by the executor from the observed create latencies
	// Rerun is run --rerun: "failed", "cancelled" or both, comma-separated ("": none).
	Rerun string
	// MaxAttempts is the most attempts of an object, the first included: with run --wait,
	// above 1 the run retries its failed objects until they succeeded or were tried that
	// often (Session.converge); for retry, the attempts it allows.
	MaxAttempts int
	// Via and ListPrefix say how failed objects are triggered again (objects.RetryConfig).
	Via, ListPrefix string
}

// rerun reads o.Rerun; ok is false when it is given and bad.
func (o *RunOptions) rerun() (executor.Rerun, bool) {
	if o.Rerun == "" {
		return executor.Rerun{}, true
	}
	return executor.ParseRerun(o.Rerun)
}

// check refuses bad values before anything is read or sent.
func (s *Session) checkRun(o *RunOptions, paths []string) error {
	what := report.Run
	if o.DryRun {
		what = report.DryRun
	}
	if err := s.CheckFormat(report.Formats(what)); err != nil {
		return err
	}
	switch {
	case len(paths) == 0:
		return s.Usagef("no plan file given")
	case o.MaxFailures < 0:
		return s.Usagef("--max-failures must not be negative (0: no limit)")
	case o.MaxRequests < 0:
		return s.Usagef("%s must not be negative (0: no limit)", s.Flag("max-requests"))
	case o.MaxAttempts < 1:
		return s.Usagef("--max-attempts must be at least 1")
	case o.MaxAttempts > 1 && !o.Wait && !o.DryRun && s.Cmd == "run":
		return s.Usagef("--max-attempts needs --wait: failed objects are known once the batch jobs ended")
	case o.Via != objects.ViaURLFile && o.Via != objects.ViaObject:
		return s.Usagef("--via is %s or %s, not %q", objects.ViaURLFile, objects.ViaObject, o.Via)
	case o.PollInterval <= 0:
		return s.Usagef("%s must be positive", s.Flag("poll-interval"))
	case !rerunOK(o):
		return s.Usagef("--rerun %q: want failed, cancelled, or both comma-separated (failed,cancelled)", o.Rerun)
	case o.SettleWindow < 0 || (o.SettleWindow > 0 && o.SettleWindow < s.Rate.Timeout):
		return s.Usagef("--settle-window must be at least --timeout (%v), or 0 to derive it", s.Rate.Timeout)
	}
	if s.Out.Results != "" && (!o.Wait || o.DryRun) {
		return s.Usagef("--results needs --wait: objects are processed once the batch jobs run")
	}
	if !o.DryRun && (o.Refresh || o.DetailedExit) {
		return s.Usagef("--refresh and --detailed-exitcode go with --dry-run (a run always checks what exists)")
	}
	if o.DryRun {
		if o.Refresh && s.Service.Emulator {
			return s.Usagef("--dry-run --refresh does not start the in-process emulator (use --endpoint with 'planrun emulator')")
		}
		if s.Out.HTML != "" {
			return s.Usagef("--html draws what the state holds after a run; a dry run changes nothing")
		}
		return nil
	}
	return s.CheckService()
}

// Run is planrun run: it triggers every request of the plans under paths not already
// done, then waits, reads results and prints the summary as o asks (with DryRun, it
// prints what would be sent).
func (s *Session) Run(ctx context.Context, paths []string, o *RunOptions) error {
	s.paths = paths
	if err := s.checkRun(o, paths); err != nil {
		return err
	}
	log, err := s.Logger(o.LogFormat)
	if err != nil {
		return err
	}
	plans, sel, err := s.LoadSelected(paths, s.Out.Format)
	if err != nil {
		return err
	}
	rerun, _ := o.rerun()
	if err := executor.CheckSelected(plans, o.MaxRequests, sel.Filter()); err != nil && !rerun.Any() {
		s.IO.Warnf("%v", err) // with --rerun, what would be sent again is counted instead
		return Failed
	}
	if o.DryRun {
		return s.preview(ctx, o, plans, sel)
	}
	if o.MaxAttempts > 1 && o.Via == objects.ViaURLFile {
		for _, p := range plans {
			lp := o.ListPrefix
			if lp == "" {
				lp = plan.DefaultListPrefix(p.Name)
			}
			if err := plan.CheckListPrefix(p, lp); err != nil {
				return s.Usagef("--list-prefix: %v", err)
			}
		}
	}
	if err := s.checkOutputs(plans); err != nil {
		return err
	}
	api, closeAPI, err := s.Client()
	if err != nil {
		return err
	}
	defer closeAPI()
	store, err := s.OpenState(ctx, Locked, true)
	if err != nil {
		return err
	}
	defer s.closeState(store)
	if rerun.Any() {
		set, err := executor.Reruns(ctx, api, store, plans, rerun, true, s.Options(log, sel.Filter()))
		if err != nil {
			return s.serviceError(fmt.Errorf("run --rerun: %w", err))
		}
		if err := set.CheckLimit(o.MaxRequests); err != nil {
			s.IO.Warnf("%v", err)
			return Failed
		}
		plans = set.Plans
	}
	log.Debug("run starting", "plans", len(plans), "state", s.Service.StatePath(), "parallel", s.Rate.Parallel, "qps", s.Rate.QPS.String())
	return s.execute(ctx, &execution{o: o, api: api, store: store, plans: plans, sel: sel, log: log})
}

// rerunOK reports whether o.Rerun is empty or good.
func rerunOK(o *RunOptions) bool {
	_, ok := o.rerun()
	return ok
}

// checkOutputs checks, before anything is sent, that the output files can be written.
func (s *Session) checkOutputs(plans []*plan.Plan) error {
	if err := output.CheckOutputs(s.Service.StatePath(), plan.Paths(plans), output.Output{Flag: "--report", Path: s.Out.Report},
		output.Output{Flag: "--junit", Path: s.Out.JUnit}, output.Output{Flag: "--html", Path: s.Out.HTML},
		output.Output{Flag: "--results", Path: s.Out.Results}); err != nil {
		return s.Usagef("%v", err)
	}
	return nil
}
