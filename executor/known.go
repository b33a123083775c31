package executor

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
	"github.com/planrun/planrun/state"
)

// Actions of a dry run that knows what is done (Known).
const (
	// ActionCreate: a run would send the request.
	ActionCreate = "create"
	// ActionSkip: a run would skip the request: its batch job exists.
	ActionSkip = "skip"
	// ActionRerun: a run --rerun would send the request again, as a new attempt (its
	// Name is the attempt's, see plan.AttemptName), or resolve the attempt an earlier one
	// left unsent.
	ActionRerun = "rerun"
)

// Done is what is known of a request whose batch job exists.
type Done struct {
	JobID, State string
	// Source is where it is known from: "state" (the state file) or "service".
	Source string
}

// Stale is a batch job of a plan (or a state row that has one) whose request is no longer
// in the plan: the job was edited, removed, or the plan's generation bumped. A run leaves
// it alone; a preview lists it so that a reviewer sees an edit adds work rather than
// replacing it.
type Stale struct {
	Plan   string
	Job    string // the plan job it belonged to, when known ("" when the service's Name does not say)
	Name   string
	Bucket string
	Region string
	JobID  string
	State  string
	Source string // "state" or "service"
}

// Known tells a dry run which requests of its plans are already done, as a run would find
// them: recorded as done in the state file, or (Refresh) found on the service by Name. It
// only reads: the state is never written and the service only listed. A Known is bound to
// the context it was made with, and is not safe for concurrent use.
type Known struct {
	ctx     context.Context
	store   *state.Store
	service map[string]map[string]existing // plan -> Name -> job on the service
	stale   []Stale
	listed  map[string]bool // Names in stale
	// Sources names what is known: "state", "service", both, or none.
	Sources []string
}

// KnowDone gathers what is done about the requests of plans that opts.Filter keeps. store
// (nil: no state file) is only read. When api is not nil, every bucket of the plans is
// listed on the service (the jobs of each request type, whatever their age: one list call
// per 100 jobs of the bucket) and the jobs with the plan's Names are kept; the list goes
// through the retry layer and the pager, with opts' rate, slots and retries. Nothing else
// is sent.
func KnowDone(ctx context.Context, api API, store *state.Store, plans []*plan.Plan, opts Options) (*Known, error) {
	k := &Known{ctx: ctx, store: store}
	if store != nil {
		k.Sources = append(k.Sources, "state")
	}
	var e *engine
	if api != nil {
		k.Sources = append(k.Sources, "service")
		k.service = map[string]map[string]existing{}
		e = newEngine(api, nil, opts)
	}
	o := opts.withDefaults()
	for _, p := range plans {
		if store == nil && e == nil {
			break // nothing to read: every request is created, and nothing is stale
		}
		names := plan.NewNameSet(p)
		where := map[bucketKey]map[string]bool{} // bucket -> request types of the kept requests
		for r := range p.Requests() {
			if o.Filter == nil || o.Filter(&r) {
				k := bucketKey{r.Bucket, r.Region}
				if where[k] == nil {
					where[k] = map[string]bool{}
				}
				where[k][r.Type] = true
			}
		}
		if store != nil {
			if err := k.staleInState(ctx, p, names, o.Filter); err != nil {
				return nil, err
			}
		}
		if e != nil {
			if err := k.listService(ctx, e, p, plans, names, where, o.Filter); err != nil {
				return nil, err
			}
		}
	}
	return k, nil
}

// staleInState adds the rows of p with a batch job whose Name is no longer in the plan.
func (k *Known) staleInState(ctx context.Context, p *plan.Plan, names *plan.NameSet, keep func(*plan.Request) bool) error {
	for rec, err := range k.store.Records(ctx, p.Name) {
		if err != nil {
			return fmt.Errorf("read state: %w", err)
		}
		if names.Has(rec.Name) || !(rec.Done() || rec.JobID != "") {
			continue
		}
		if keep != nil && !keep(&plan.Request{Key: rec.Key}) {
			continue
		}
		k.addStale(Stale{Plan: rec.Plan, Job: rec.Job, Name: rec.Name, Bucket: rec.Bucket,
			Region: rec.Region, JobID: rec.JobID, State: rec.JobState, Source: "state"})
	}
	return nil
}

// listService lists the buckets of p's kept requests and keeps the jobs whose Name has
// p's prefix: those of the plan as what is done, the others as stale.
func (k *Known) listService(ctx context.Context, e *engine, p *plan.Plan, plans []*plan.Plan, names *plan.NameSet,
	where map[bucketKey]map[string]bool, keep func(*plan.Request) bool) error {
	jobPrefixes := make([]string, len(p.Jobs))
	for i := range p.Jobs {
		jobPrefixes[i] = plan.NameHead(p.Name, p.Jobs[i].Name)
	}
	found := map[string]existing{}
	k.service[p.Name] = found
	err := e.sweepPlanJobs(ctx, p, plans, where, time.Time{}, func(b bucketKey, d *ciapi.JobDetail) error {
		if names.Has(d.Name) {
			if _, dup := found[d.Name]; !dup {
				found[d.Name] = existing{id: d.JobId, state: d.State}
			}
			return nil
		}
		s := Stale{Plan: p.Name, Job: jobOfName(p, jobPrefixes, d.Name), Name: d.Name, Bucket: b.bucket,
			Region: b.region, JobID: d.JobId, State: d.State, Source: "service"}
		r := plan.Request{Key: request.Key{Plan: s.Plan, Job: s.Job, Name: s.Name}}
		if keep != nil && !keep(&r) {
			return nil
		}
		k.addStale(s)
		return nil
	})
	if err != nil {
		return fmt.Errorf("plan %s: %w", p.Name, err)
	}
	return nil
}

// sweepPlanJobs lists the batch jobs created since since (zero: all) in every bucket and
// job type of where, in a stable order, and passes fn those whose Name is p's: it starts
// with p's prefix and not with the longer prefix of another of plans (plan "video" and
// plan "video-hd").
func (e *engine) sweepPlanJobs(ctx context.Context, p *plan.Plan, plans []*plan.Plan, where map[bucketKey]map[string]bool,
	since time.Time, fn func(b bucketKey, d *ciapi.JobDetail) error) error {
	prefix := plan.NamePrefix(p.Name)
	var others []string
	for _, q := range plans {
		if q2 := plan.NamePrefix(q.Name); q.Name != p.Name && strings.HasPrefix(q2, prefix) {
			others = append(others, q2)
		}
	}
	keys := slices.SortedFunc(maps.Keys(where), func(a, b bucketKey) int {
		return strings.Compare(a.bucket+"/"+a.region, b.bucket+"/"+b.region)
	})
	for _, b := range keys {
		for _, typ := range slices.Sorted(maps.Keys(where[b])) {
			err := e.sweep(ctx, b.bucket, b.region, typ, since, func(d *ciapi.JobDetail) error {
				if !strings.HasPrefix(d.Name, prefix) || slices.ContainsFunc(others, func(o string) bool { return strings.HasPrefix(d.Name, o) }) {
					return nil
				}
				return fn(b, d)
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// jobOfName returns the job of p whose Name prefix is the longest that name has, or "".
func jobOfName(p *plan.Plan, jobPrefixes []string, name string) string {
	best := -1
	for i, jp := range jobPrefixes {
		if strings.HasPrefix(name, jp) && (best < 0 || len(jp) > len(jobPrefixes[best])) {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	return p.Jobs[best].Name
}

// addStale lists s, once per Name (the state's row first).
func (k *Known) addStale(s Stale) {
	if k.listed == nil {
		k.listed = map[string]bool{}
	}
	if !k.listed[s.Name] {
		k.listed[s.Name] = true
		k.stale = append(k.stale, s)
	}
}

// Lookup returns what is known of request r: its batch job exists (ok), from the state
// file or the service, or nothing is known and a run would send it.
func (k *Known) Lookup(r *plan.Request) (Done, bool, error) {
	if k == nil {
		return Done{}, false, nil
	}
	if k.store != nil {
		rec, ok, err := k.store.Lookup(k.ctx, r.Plan, r.Name)
		if err != nil {
			return Done{}, false, fmt.Errorf("read state: %w", err)
		}
		if ok && rec.Done() {
			return Done{JobID: rec.JobID, State: rec.JobState, Source: "state"}, true, nil
		}
	}
	if ex, ok := k.service[r.Plan][r.Name]; ok {
		return Done{JobID: ex.id, State: ex.state, Source: "service"}, true, nil
	}
	return Done{}, false, nil
}

// Action returns what a run would do with r, and what is known when it would skip it.
func (k *Known) Action(r *plan.Request) (string, Done, error) {
	d, ok, err := k.Lookup(r)
	if err != nil || !ok {
		if r.Attempt() > 1 {
			return ActionRerun, d, err
		}
		return ActionCreate, d, err
	}
	return ActionSkip, d, nil
}

// Stale returns the batch jobs of the plans no longer in them, in the order found (the
// state's first, then the service's), for the plan jobs the Filter keeps.
func (k *Known) Stale() []Stale {
	if k == nil {
		return nil
	}
	return k.stale
}

// Knows reports whether anything is known (a state file or the service).
func (k *Known) Knows() bool { return k != nil && len(k.Sources) > 0 }
