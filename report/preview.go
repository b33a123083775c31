package report

import (
	"fmt"
	"strings"

	"github.com/planrun/planrun/plan"
)

// Helpers shared by the dry-run formats: how a plan job multiplies into requests.

// describeJob summarises a job: where it runs and how it multiplies.
func describeJob(j *plan.Job) string {
	if j == nil {
		return ""
	}
	inputs := 1
	if len(j.Prefixes) > 0 {
		inputs = len(j.Prefixes)
	}
	ops := 1
	opName := "node " + nodeTag(j)
	if j.Type != "job" {
		ops = len(j.Workflows)
		opName = plural(ops, "workflow")
	}
	wins := windowCount(j)
	return fmt.Sprintf("bucket %s (%s), %s x %s x %s = %s", j.Bucket, j.Region,
		pluralKind(inputs, inputKindName(j)), opName, plural(wins, "window"), plural(inputs*ops*wins, "request"))
}

// windowCount is the number of windows a job multiplies by: 1 without a window.
func windowCount(j *plan.Job) int {
	if j.Window == nil {
		return 1
	}
	return j.WindowCount()
}

func pluralKind(n int, kind string) string {
	if n == 1 {
		return "1 " + kind
	}
	if kind == "prefix" {
		return fmt.Sprintf("%d prefixes", n)
	}
	return plural(n, kind)
}

func nodeTag(j *plan.Job) string {
	if j.Node == nil {
		return ""
	}
	return j.Node.Tag
}

func inputKindName(j *plan.Job) string {
	switch {
	case j.Manifest != "":
		return "manifest"
	case j.URLFile != "":
		return "url file"
	case j.Object != "":
		return "object"
	}
	return "prefix"
}

// operationText is what a job runs: its workflows, or the node's tag and template.
func operationText(j *plan.Job) string {
	if j.Type == "job" && j.Node != nil {
		return j.Node.Tag + " " + j.Node.TemplateID
	}
	return strings.Join(j.Workflows, ", ")
}

func jobByName(p *plan.Plan, name string) *plan.Job {
	for i := range p.Jobs {
		if p.Jobs[i].Name == name {
			return &p.Jobs[i]
		}
	}
	return nil
}

// keeps reports whether keep (nil: everything) accepts r.
func keeps(keep func(*plan.Request) bool, r *plan.Request) bool { return keep == nil || keep(r) }

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func quoteEmpty(s string) string {
	if s == "" {
		return `""`
	}
	return s
}
