package report

import "github.com/planrun/planrun/plan"

// PlanCheck is the outcome of checking one plan file (`planrun validate`).
type PlanCheck struct {
	Path     string
	Plan     string // the plan's name, when it is valid
	Requests int    // how many requests it expands to, when it is valid
	Problems []plan.Problem
}

// ChecksOf converts the outcome of plan.LoadFiles for rendering.
func ChecksOf(results []plan.FileResult) []PlanCheck {
	checks := make([]PlanCheck, len(results))
	for i, r := range results {
		checks[i] = PlanCheck{Path: r.Path, Requests: r.Requests, Problems: r.Problems}
		if r.Plan != nil {
			checks[i].Plan = r.Plan.Name
		}
	}
	return checks
}
