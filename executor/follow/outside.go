package follow

import (
	"context"
	"strings"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
)

// outside is what Cancel with AllGenerations knows of a plan beyond its current expansion:
// the requests of earlier generations and of jobs edited (or removed) since, whose Names
// the plan no longer makes.
type outside struct {
	plan    string
	prefix  string                // how every Name of the jobs reached starts
	heads   map[string]string     // NameHead -> plan job name, of the jobs reached
	names   *executor.NameSet     // the plan's whole current expansion (8 bytes a Name)
	inState []*executor.JobStatus // unfinished jobs of state rows outside the expansion
}

// outsideOf finds what lies outside p's expansion: the plan jobs whose requests kept (the
// jobs with a request the Filter keeps) and, without a Filter, every job the state knows
// for p; and the unfinished jobs of the state's rows of p that the expansion no longer
// makes. It adds the listings those rows need to groups.
func (e *engine) outsideOf(ctx context.Context, p *plan.Plan, kept map[string]bool, groups map[groupKey]bool) (*outside, error) {
	all := &executor.NameSet{}
	for r := range p.Requests() {
		all.Add(r.Name, p.Count())
	}
	all.Seal()
	o := &outside{plan: p.Name, heads: map[string]string{}, names: all}
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
		if rec.JobID == "" || ciapi.Terminal(rec.JobState) || rec.JobState == executor.StateNotFound {
			continue
		}
		o.inState = append(o.inState, &executor.JobStatus{Plan: rec.Plan, Job: rec.Job, Name: rec.Name,
			Bucket: rec.Bucket, Region: rec.Region, Type: string(rec.Type), JobID: rec.JobID, State: rec.JobState})
	}
	first := true
	for head := range o.heads {
		if first {
			o.prefix, first = head, false
		} else {
			o.prefix = executor.CommonPrefix(o.prefix, head)
		}
	}
	return o, nil
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

// jobOfHead returns the plan job reached whose NameHead starts root (a request Name or its
// head, of any generation, from which a job was derived), the longest when several do; ""
// when none does.
func (o *outside) jobOfHead(root string) string {
	best, job := "", ""
	for head, j := range o.heads {
		if strings.HasPrefix(root+"-", head) && len(head) > len(best) {
			best, job = head, j
		}
	}
	return job
}
