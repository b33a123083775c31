package plan

import (
	"iter"
	"math"
	"time"

	"github.com/planrun/planrun/plan/request"
)

// Request types, in the service's spelling.
const (
	svcTypeWorkflow = "Workflow"
	svcTypeJob      = "Job"
)

// Requests streams the plan's requests in the README's order ("Expansion"): jobs in file
// order, then inputs in the order written, then workflows in the order written, then windows
// in time order.
// Seq counts from 0. Nothing is materialised: each request is built when it is yielded,
// and breaking out of the loop stops the work. A yielded Request shares nothing mutable
// with the plan or with other requests (its Node is a fresh copy).
func (p *Plan) Requests() iter.Seq[Request] {
	if p.source != nil {
		return p.source
	}
	return func(yield func(Request) bool) {
		seq := 0
		for i := range p.Jobs {
			if !p.expandJob(&p.Jobs[i], &seq, yield) {
				return
			}
		}
	}
}

// Count returns the number of requests Requests yields, without building them. It
// saturates at math.MaxInt for absurd plans.
func (p *Plan) Count() int {
	n, _ := p.CountUpTo(math.MaxInt)
	return n
}

// CountUpTo counts requests like Count, job by job, and stops as soon as the total passes
// limit: then it returns the total so far (more than limit, not the whole count) and true.
// A --max-requests check needs no more than this.
func (p *Plan) CountUpTo(limit int) (n int, over bool) {
	total := 0
	if p.source != nil {
		for range p.source {
			if total++; total > limit {
				return total, true
			}
		}
		return total, false
	}
	for i := range p.Jobs {
		total = satAdd(total, p.Jobs[i].Count())
		if total > limit {
			return total, true
		}
	}
	return total, false
}

// serviceType returns the service's spelling of the job's type.
func (j *Job) serviceType() string {
	if j.Type == "job" {
		return svcTypeJob
	}
	return svcTypeWorkflow
}

// inputList returns the job's input kind and its values in the order written.
func (j *Job) inputList() (kind string, values []string) {
	switch {
	case j.Prefixes != nil:
		return InputPrefix, j.Prefixes
	case j.Manifest != "":
		return InputManifest, []string{j.Manifest}
	case j.URLFile != "":
		return InputURLFile, []string{j.URLFile}
	case j.Object != "":
		return InputObject, []string{j.Object}
	}
	return "", nil
}

// workflowList returns the workflow ids to expand over: one empty id for a `type: job` job.
func (j *Job) workflowList() []string {
	if j.serviceType() == svcTypeJob {
		return []string{""}
	}
	return j.Workflows
}

// expandJob yields the requests of one job; it returns false once yield has.
func (p *Plan) expandJob(j *Job, seq *int, yield func(Request) bool) bool {
	typ := j.serviceType()
	kind, inputs := j.inputList()
	workflows := j.workflowList()
	if len(inputs) == 0 || len(workflows) == 0 {
		return true
	}
	windowed := kind == InputPrefix && j.Window != nil
	nm := newNamer(p, j)
	inDup, wfDup, wfTotal := occurrences(inputs), occurrences(workflows), totals(workflows)
	base := Request{Key: request.Key{Plan: p.Name, Job: j.Name, Bucket: j.Bucket, Region: j.Region, Type: typ,
		InputKind: kind}}
	if typ == svcTypeJob {
		base.Node = j.Node // read by the namer; every yielded request gets its own copy
	}
	emit := func(r Request) bool {
		r.Seq = *seq
		*seq++
		if typ == svcTypeJob {
			r.Node = j.Node.clone()
		}
		return yield(r)
	}
	for ii, in := range inputs {
		for wi, wf := range workflows {
			nm.setCombo(windowed, inDup[ii]*wfTotal[wi]+wfDup[wi])
			r := base
			r.Input, r.Workflow = in, wf
			if !windowed {
				r.Name, r.Digest = nm.name(&r, time.Time{}, time.Time{})
				if !emit(r) {
					return false
				}
				continue
			}
			it := newWindowIter(j)
			for {
				ws, we, ok := it.next()
				if !ok {
					break
				}
				r.Start, r.End = ws, we
				r.Name, r.Digest = nm.name(&r, ws, we)
				if !emit(r) {
					return false
				}
			}
		}
	}
	return true
}

// Count returns the number of requests the job expands to: inputs x workflows x windows.
// It saturates at math.MaxInt.
func (j *Job) Count() int {
	kind, inputs := j.inputList()
	n := satMul(len(inputs), len(j.workflowList()))
	if n > 0 && kind == InputPrefix && j.Window != nil {
		n = satMul(n, j.WindowCount())
	}
	return n
}
