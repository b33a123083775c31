package plan

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/planrun/planrun/plan/request"
)

// Selection narrows the expansion of plans to some of their jobs (--job) and to the
// windows that overlap a time range (--since, --until). Every command that reads plans
// applies the same Selection through a Selector, so a preview, a run, status, cancel and
// results see the same requests. The zero Selection keeps everything.
type Selection struct {
	// Jobs are plan job names, each either "JOB" (that job in every plan that has it) or
	// "PLAN/JOB". Empty: every job.
	Jobs []string
	// Since and Until bound the time range, as written: RFC 3339, a time without an offset
	// (2024-03-01T00:00:00) or a date (2024-03-01); those without an offset are read in
	// each job's timezone. Since is inclusive; an Until time is exclusive, an Until date
	// includes that whole day. A window [start, end) is kept when it overlaps
	// [Since, Until); requests without a window are left out once either bound is set.
	// Empty: no bound.
	Since, Until string
}

// IsZero reports whether s keeps everything.
func (s Selection) IsZero() bool { return len(s.Jobs) == 0 && s.Since == "" && s.Until == "" }

// ErrUnknownJob is matched by the error of Compile when a --job name is in none of the plans.
var ErrUnknownJob = errors.New("no such plan job")

// Selector applies a Selection to the requests of compiled plans. Its methods are safe for
// concurrent use once Compile returned.
type Selector struct {
	zero bool
	jobs map[[2]string]*jobBounds // (plan, job) -> bounds, for the kept jobs
}

// jobBounds is the time range of one kept job, in its timezone; zero ends are unbounded.
type jobBounds struct {
	timed        bool
	since, until time.Time
}

// Compile checks s against plans and returns its Selector. A job name that no plan has
// is an error matching ErrUnknownJob that lists the plans' jobs; a bound that is not a
// time, or an Until not after Since, is an error too.
func (s Selection) Compile(plans []*Plan) (*Selector, error) {
	sel := &Selector{zero: s.IsZero(), jobs: map[[2]string]*jobBounds{}}
	if sel.zero {
		return sel, nil
	}
	if err := s.checkNames(plans); err != nil {
		return nil, err
	}
	for _, p := range plans {
		for i := range p.Jobs {
			j := &p.Jobs[i]
			if !s.namesJob(p.Name, j.Name) {
				continue
			}
			b := &jobBounds{timed: s.Since != "" || s.Until != ""}
			loc := j.Timezone
			if loc == nil {
				loc = time.UTC
			}
			var err error
			if s.Since != "" {
				if b.since, _, err = parseBound(s.Since, loc); err != nil {
					return nil, fmt.Errorf("--since %s: %w", s.Since, err)
				}
			}
			if s.Until != "" {
				var date bool
				if b.until, date, err = parseBound(s.Until, loc); err != nil {
					return nil, fmt.Errorf("--until %s: %w", s.Until, err)
				}
				if date {
					b.until = b.until.AddDate(0, 0, 1)
				}
			}
			if !b.since.IsZero() && !b.until.IsZero() && !b.since.Before(b.until) {
				return nil, fmt.Errorf("--until %s is not after --since %s", s.Until, s.Since)
			}
			sel.jobs[[2]string{p.Name, j.Name}] = b
		}
	}
	return sel, nil
}

// parseBound reads a --since or --until value in loc; date reports a bare date.
func parseBound(v string, loc *time.Location) (t time.Time, date bool, err error) {
	t, err = parseTime(strings.TrimSpace(v), loc)
	return t, len(strings.TrimSpace(v)) == len("2006-01-02"), err
}

// namesJob reports whether the selection's job names take job of plan.
func (s Selection) namesJob(planName, job string) bool {
	if len(s.Jobs) == 0 {
		return true
	}
	return slices.ContainsFunc(s.Jobs, func(n string) bool { return n == job || n == planName+"/"+job })
}

// checkNames refuses a job name that no plan has, listing the plans' jobs.
func (s Selection) checkNames(plans []*Plan) error {
	var unknown []string
	for _, n := range s.Jobs {
		found := false
		for _, p := range plans {
			for i := range p.Jobs {
				if n == p.Jobs[i].Name || n == p.Name+"/"+p.Jobs[i].Name {
					found = true
				}
			}
		}
		if !found {
			unknown = append(unknown, n)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	var b strings.Builder
	for _, p := range plans {
		names := make([]string, len(p.Jobs))
		for i := range p.Jobs {
			names[i] = p.Jobs[i].Name
		}
		fmt.Fprintf(&b, "\n  plan %s (%s): %s", p.Name, p.Path, strings.Join(names, ", "))
	}
	return fmt.Errorf("--job %s: %w; the jobs are:%s", strings.Join(unknown, ", "), ErrUnknownJob, b.String())
}

// Keep reports whether the request r is selected. A nil Selector keeps everything.
func (sel *Selector) Keep(r *Request) bool {
	return sel.Match(&r.Key)
}

// Match reports whether the request k names (a plan's request, a state row, a result) is
// selected. A nil Selector keeps everything.
func (sel *Selector) Match(k *request.Key) bool {
	if sel == nil || sel.zero {
		return true
	}
	b, ok := sel.jobs[[2]string{k.Plan, k.Job}]
	if !ok {
		return false
	}
	if !b.timed {
		return true
	}
	if k.Start.IsZero() || k.End.IsZero() {
		return false
	}
	return (b.until.IsZero() || k.Start.Before(b.until)) && (b.since.IsZero() || k.End.After(b.since))
}

// KeepsJob reports whether any request of plan job job may be selected.
func (sel *Selector) KeepsJob(planName, job string) bool {
	if sel == nil || sel.zero {
		return true
	}
	_, ok := sel.jobs[[2]string{planName, job}]
	return ok
}

// IsZero reports whether sel keeps everything.
func (sel *Selector) IsZero() bool { return sel == nil || sel.zero }

// Any reports whether sel keeps at least one request of plans (it stops at the first).
func (sel *Selector) Any(plans []*Plan) bool {
	for _, p := range plans {
		for i := range p.Jobs {
			if !sel.KeepsJob(p.Name, p.Jobs[i].Name) {
				continue
			}
			for r := range p.Requests() {
				if sel.Keep(&r) {
					return true
				}
			}
			break // Requests walks every job: the first kept job decided for the plan
		}
	}
	return false
}
