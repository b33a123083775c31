package executor

import (
	"context"
	"slices"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/plan"
)

// foundJob is a job a sweep found, with the listing it came from.
type foundJob struct {
	ciapi.JobDetail
	key groupKey
}

// outside is what Cancel with AllGenerations knows of a plan beyond its current expansion:
// the requests of earlier generations and of jobs edited (or removed) since, whose Names
// the plan no longer makes.
type outside struct {
	plan    string
	prefix  string            // how every Name of the jobs reached starts
	heads   map[string]string // NameHead -> plan job name, of the jobs reached
	names   *plan.NameSet     // the plan's whole current expansion
	inState []*JobStatus      // unfinished jobs of state rows outside the expansion
	stale   map[string]bool   // their Names
}

// outsideOf finds what lies outside p's expansion: the plan jobs whose requests kept (the
// jobs with a request the Filter keeps) and, without a Filter, every job the state knows
// for p; and the unfinished jobs of the state's rows of p that the expansion no longer
// makes. It adds the listings those rows need to groups.
func (e *engine) outsideOf(ctx context.Context, p *plan.Plan, kept map[string]bool, groups map[groupKey]bool) (*outside, error) {
	o := &outside{plan: p.Name, heads: map[string]string{}, names: plan.NewNameSet(p), stale: map[string]bool{}}
	for job := range kept {
		o.heads[plan.NameHead(p.Name, job)] = job
	}
	for rec, err := range e.store.Records(ctx, p.Name) {
		if err != nil {
			return nil, err
		}
		if o.names.Has(rec.Name) || (e.o.Filter != nil && !kept[rec.Job]) {
			continue
		}
		o.heads[plan.NameHead(p.Name, rec.Job)] = rec.Job
		groups[groupKey{rec.Bucket, rec.Region, string(rec.Type)}] = true
		if rec.JobID == "" || ciapi.Terminal(rec.JobState) || rec.JobState == StateNotFound {
			continue
		}
		o.stale[rec.Name] = true
		o.inState = append(o.inState, &JobStatus{Plan: rec.Plan, Job: rec.Job, Name: rec.Name,
			Bucket: rec.Bucket, Region: rec.Region, Type: string(rec.Type), JobID: rec.JobID, State: rec.JobState})
	}
	first := true
	for head := range o.heads {
		if first {
			o.prefix, first = head, false
		} else {
			o.prefix = commonPrefix(o.prefix, head)
		}
	}
	return o, nil
}

// found returns the unfinished jobs of left (what a sweep found that the expansion does not
// make) that have the Name of one of the jobs reached, sorted by Name, marked Outside.
func (o *outside) found(left map[string][]foundJob) []CancelResult {
	names := make([]string, 0, len(left))
	for name := range left {
		names = append(names, name)
	}
	slices.Sort(names)
	var results []CancelResult
	for _, name := range names {
		job := o.jobOf(name)
		if job == "" || o.names.Has(name) { // in the expansion, but not in the Filter
			continue
		}
		for _, f := range left[name] {
			if ciapi.Terminal(f.State) {
				continue
			}
			js := JobStatus{Plan: o.plan, Job: job, Name: name, Bucket: f.key.bucket, Region: f.key.region,
				Type: f.key.typ, JobID: f.JobId, State: f.State, Code: f.Code, Message: f.Message}
			results = append(results, CancelResult{JobStatus: js, Duplicates: len(left[name]), Outside: true})
		}
	}
	return results
}

// jobOf returns the plan job whose Names name has, or "" when none of the jobs reached.
func (o *outside) jobOf(name string) string {
	for _, job := range o.heads {
		if plan.IsJobName(name, o.plan, job) {
			return job
		}
	}
	return ""
}
