package plan

import (
	"errors"
	"fmt"
)

// FileResult is the outcome of checking one plan file with LoadFiles.
type FileResult struct {
	Path     string
	Plan     *Plan // nil when invalid
	Problems []Problem
	Requests int
}

// LoadFiles loads and checks every file (as Discover lists them); problems are collected
// in the results, not returned as errors: a plan name that an earlier file already uses,
// and, when maxRequests is positive, a plan that expands to more requests than that. Only
// a file that cannot be read is an error.
func LoadFiles(files []string, maxRequests int) ([]FileResult, error) {
	results := make([]FileResult, 0, len(files))
	names := map[string]string{} // plan name -> the first file that uses it
	for _, f := range files {
		p, err := Load(f)
		r := FileResult{Path: f, Plan: p}
		var probs Problems
		switch {
		case errors.As(err, &probs):
			r.Problems = probs
			r.Plan = nil
		case err != nil:
			return nil, fmt.Errorf("validate %s: %w", f, err)
		default:
			if first, dup := names[p.Name]; dup {
				r.Problems = append(r.Problems, Problem{File: f, Line: p.NamePos.Line, Col: p.NamePos.Col, Path: "name",
					Message: fmt.Sprintf("plan name %q is also used by %s: plan names prefix every job name on the service, so give each plan its own", p.Name, first)})
				r.Plan = nil
				break
			}
			names[p.Name] = f
			r.Requests = p.Count()
			if maxRequests > 0 && r.Requests > maxRequests {
				r.Problems = []Problem{limitProblem(p, r.Requests, maxRequests)}
			}
		}
		results = append(results, r)
	}
	return results, nil
}

// Names returns the names of plans, in order.
func Names(plans []*Plan) []string {
	names := make([]string, 0, len(plans))
	for _, p := range plans {
		names = append(names, p.Name)
	}
	return names
}

// Paths returns the files of plans, in order.
func Paths(plans []*Plan) []string {
	paths := make([]string, 0, len(plans))
	for _, p := range plans {
		paths = append(paths, p.Path)
	}
	return paths
}

// limitProblem reports a plan that expands to more than max requests at the job that
// makes most of them: at its window step when it has one (where a smaller count is
// usually written), else at the job.
func limitProblem(p *Plan, total, max int) Problem {
	pr := Problem{File: p.Path, Line: 1, Col: 1, Message: fmt.Sprintf(
		"plan expands to %d requests, more than the limit of %d; raise it with --max-requests %d if that is intended",
		total, max, total)}
	var big *Job
	for i := range p.Jobs {
		if big == nil || p.Jobs[i].Count() > big.Count() {
			big = &p.Jobs[i]
		}
	}
	if big == nil || p.source != nil {
		return pr
	}
	at, where := big.Pos, ""
	if big.WindowPos.Line > 0 {
		at, where = big.WindowPos, fmt.Sprintf(" (%d windows)", big.WindowCount())
	}
	if at.Line > 0 {
		pr.Line, pr.Col = at.Line, at.Col
		pr.Path = fmt.Sprintf("jobs[%d]", big.index(p))
		if big.WindowPos.Line > 0 {
			pr.Path += ".window"
		}
		pr.Message = fmt.Sprintf("job %q expands to %d requests%s, and the plan to %d, more than the limit of %d; "+
			"use a longer window step, or raise the limit with --max-requests %d if that is intended",
			big.Name, big.Count(), where, total, max, total)
	}
	return pr
}

// index is the job's position in p.Jobs.
func (j *Job) index(p *Plan) int {
	for i := range p.Jobs {
		if &p.Jobs[i] == j {
			return i
		}
	}
	return 0
}
