package session

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
	"github.com/planrun/planrun/report"
	"github.com/planrun/planrun/report/safetext"
)

// excludeHint ends the problem of a YAML file that is not a plan; the session adds the
// flag to leave it out.
const excludeHint = "exclude it with --exclude"

// Discover lists the plan files under paths, less those --exclude leaves out. A glob with
// '/' is matched against the path under the folder given and against the path from the
// working directory (so "ci/*.yaml" and "plans/ci/*.yaml" both leave out plans/ci/x.yaml
// of the folder plans); a trailing '/' is ignored. A glob that leaves out no plan file is
// warned about on stderr.
func (s *Session) Discover(paths []string) ([]string, error) {
	globs := s.globs()
	files, err := plan.Discover(paths, globs...)
	if err != nil {
		return nil, UsageError{fmt.Errorf("%s: %w", s.Cmd, err)}
	}
	for _, f := range files {
		// A plan's path starts lines of the text outputs and is part of many others: one that
		// a terminal or a CI runner would act on (a line break then "::error::", an escape
		// sequence, "##[") is refused, shown escaped, before anything prints it raw.
		if shown := safetext.Line(f); shown != f {
			return nil, UsageError{fmt.Errorf("%s: the plan file name %s (shown escaped) holds control characters or a CI workflow command; rename it, or leave it out with --exclude",
				s.Cmd, shown)}
		}
	}
	for _, g := range s.Select.Exclude {
		others := s.globs(g)
		all, err := plan.Discover(paths, others...)
		if err == nil && len(all) == len(files) {
			s.IO.Warnf("warning: --exclude %s left out no plan file under %s", report.ShellJoin(g), strings.Join(paths, " "))
		}
	}
	return files, nil
}

// globs are the --exclude globs as plan.Discover matches them, but for skip: each without
// a trailing '/', and each with '/' also as an absolute path from the working directory.
func (s *Session) globs(skip ...string) []string {
	var out []string
	for _, g := range s.Select.Exclude {
		if len(skip) > 0 && g == skip[0] {
			continue
		}
		g = strings.TrimRight(filepath.ToSlash(g), "/")
		out = append(out, g)
		if strings.Contains(g, "/") && !filepath.IsAbs(g) {
			if abs, err := filepath.Abs(g); err == nil {
				out = append(out, filepath.ToSlash(abs))
			}
		}
	}
	return out
}

// LoadValid loads every plan under paths; when any is invalid it prints the problems on
// stdout in format, as validate does, and returns Failed.
func (s *Session) LoadValid(paths []string, format string) ([]*plan.Plan, error) {
	files, err := s.Discover(paths)
	if err != nil {
		return nil, err
	}
	results, err := s.Load(files, 0)
	if err != nil {
		return nil, err
	}
	var plans []*plan.Plan
	bad := false
	for _, r := range results {
		bad = bad || len(r.Problems) > 0
		plans = append(plans, r.Plan)
	}
	if bad {
		if err := report.WriteChecks(s.IO.Stdout, format, results); err != nil {
			return nil, err
		}
		return nil, Failed
	}
	return plans, nil
}

// Load checks files (expanding each up to maxRequests requests, 0: no limit), warns on
// stderr, and makes the hint of a file that is not a plan name the flag that leaves it out.
func (s *Session) Load(files []string, maxRequests int) ([]plan.FileResult, error) {
	results, err := plan.LoadFiles(files, maxRequests)
	if err != nil {
		return nil, fmt.Errorf("load plans: %w", err)
	}
	for i := range results {
		for j, p := range results[i].Problems {
			if strings.HasSuffix(p.Message, excludeHint) {
				results[i].Problems[j].Message += " " + report.ShellJoin(filepath.ToSlash(p.File))
			}
		}
	}
	report.WriteWarnings(s.IO.Stderr, results)
	return results, nil
}

// LoadSelected loads the valid plans under paths (problems rendered in format) and
// compiles the selection flags against them: what every command that takes plans starts
// with.
func (s *Session) LoadSelected(paths []string, format string) ([]*plan.Plan, *Selector, error) {
	plans, err := s.LoadValid(paths, format)
	if err != nil {
		return nil, nil, err
	}
	sel, err := s.Selector(plans)
	if err != nil {
		return nil, nil, err
	}
	return plans, sel, nil
}

// Selector compiles --job, --since, --until and --shard against plans: an unknown job, a
// bad time or shard, or a selection that keeps no request at all is a UsageError.
func (s *Session) Selector(plans []*plan.Plan) (*Selector, error) {
	sel := &Selector{}
	if s.Select.Shard != "" {
		var err error
		if sel.Shard, err = plan.ParseShard(s.Select.Shard); err != nil {
			return nil, UsageError{fmt.Errorf("%s: --shard: %w", s.Cmd, err)}
		}
	}
	ps, err := s.selection().Compile(plans)
	if err != nil {
		return nil, s.Usagef("%v", err)
	}
	sel.plans = ps
	if !s.selection().IsZero() && !ps.Any(plans) {
		return nil, s.Usagef("%s keeps no request of the plans", s.DescribeSelection())
	}
	return sel, nil
}

func (s *Session) selection() plan.Selection {
	return plan.Selection{Jobs: s.Select.Jobs, Since: s.Select.Since, Until: s.Select.Until}
}

// Narrowed reports whether --job, --since or --until narrows the plans.
func (s *Session) Narrowed() bool { return !s.selection().IsZero() }

// DescribeSelection renders --job, --since and --until as given, for messages.
func (s *Session) DescribeSelection() string {
	var parts []string
	for _, j := range s.Select.Jobs {
		parts = append(parts, "--job "+j)
	}
	if s.Select.Since != "" {
		parts = append(parts, "--since "+s.Select.Since)
	}
	if s.Select.Until != "" {
		parts = append(parts, "--until "+s.Select.Until)
	}
	return strings.Join(parts, " ")
}

// Selector is the compiled selection: a shard and the plan selection.
type Selector struct {
	Shard plan.Shard
	plans *plan.Selector
}

// Keep reports whether the selection keeps request r.
func (s *Selector) Keep(r *plan.Request) bool { return s.Shard.Contains(r.Name) && s.plans.Keep(r) }

// Filter is the selection as executor.Options.Filter: nil when it keeps everything.
func (s *Selector) Filter() func(*plan.Request) bool {
	if s.plans.IsZero() && s.Shard == (plan.Shard{}) {
		return nil
	}
	return s.Keep
}

// Match reports whether the selection keeps the request k names (a state's row).
func (s *Selector) Match(k *request.Key) bool {
	return s.Shard.Contains(k.Name) && s.plans.Match(k)
}

var errNoPlans = errors.New("no plan")
