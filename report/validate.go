package report

import "github.com/planrun/planrun/plan"

// PlanCheck is the outcome of checking one plan file (`planrun validate`).
type PlanCheck struct {
	Path     string
	Plan     string // the plan's name, when it is valid
	Requests int    // how many requests it expands to, when it is valid
	Problems []plan.Problem
}
