package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/planrun/planrun/plan"
)

// The service identifiers generated plans use.
const (
	Bucket   = "examplebucket-1250000000"
	Region   = "ap-beijing"
	Workflow = "w7476ff3564ee45b7b490d64bccaba6cc"
	Template = "t1460606b9752148c4ab182f55163ba7cd"
)

// Epoch is where the windows of generated plans start.
var Epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// Plan is a generated plan: a workflow job "hourly" of Hours hourly windows from Epoch over
// Prefixes, and optionally node jobs (MediaInfo). Its requests number Hours x len(Prefixes),
// plus one for Object, plus len(Nodes).
type Plan struct {
	// Name names the plan (and its file, Name.yaml).
	Name string
	// Generation, when above 0, is written as the plan's generation.
	Generation int
	// Hours is the number of hourly windows of job hourly.
	Hours int
	// Prefixes are the prefixes of job hourly; none means input/video/.
	Prefixes []string
	// Workflow is the workflow of job hourly; "" means Workflow.
	Workflow string
	// Object, when set, adds the node job "info" over this one object.
	Object string
	// Nodes, when set, adds the node job "nodes" over these prefixes.
	Nodes []string
}

// Hourly is the plan of hours windows over input/video/ and one node job on input/a.mp4:
// hours+1 requests.
func Hourly(name string, hours, generation int) Plan {
	return Plan{Name: name, Generation: generation, Hours: hours, Object: "input/a.mp4"}
}

// Sized is a plan of exactly n requests (n >= 12) covering both job types: hourly windows
// over two prefixes and a node job over 10 or 11 prefixes.
func Sized(name string, n int) Plan {
	nodes := 10 + n%2
	p := Plan{Name: name, Hours: (n - nodes) / 2, Prefixes: []string{"in/a/", "in/b/"}}
	for i := range nodes {
		p.Nodes = append(p.Nodes, fmt.Sprintf("raw/%02d/", i))
	}
	return p
}

// YAML returns the plan file's text.
func (p Plan) YAML() string {
	var b strings.Builder
	fmt.Fprintf(&b, "version: 1\nname: %s\n", p.Name)
	if p.Generation > 0 {
		fmt.Fprintf(&b, "generation: %d\n", p.Generation)
	}
	wf := p.Workflow
	if wf == "" {
		wf = Workflow
	}
	fmt.Fprintf(&b, "defaults:\n  bucket: %s\n  region: %s\n  workflow: %s\njobs:\n  - name: hourly\n", Bucket, Region, wf)
	switch len(p.Prefixes) {
	case 0:
		b.WriteString("    prefix: input/video/\n")
	case 1:
		fmt.Fprintf(&b, "    prefix: %s\n", p.Prefixes[0])
	default:
		fmt.Fprintf(&b, "    prefixes: [%s]\n", strings.Join(p.Prefixes, ", "))
	}
	fmt.Fprintf(&b, "    window:\n      start: %s\n      end: %s\n      every: 1h\n",
		Epoch.Format(time.RFC3339), Epoch.Add(time.Duration(p.Hours)*time.Hour).Format(time.RFC3339))
	if p.Object != "" {
		fmt.Fprintf(&b, "  - name: info\n    type: job\n    object: %s\n    job:\n      tag: MediaInfo\n      template_id: %s\n", p.Object, Template)
	}
	if len(p.Nodes) > 0 {
		fmt.Fprintf(&b, "  - name: nodes\n    type: job\n    prefixes: [%s]\n    job:\n      tag: MediaInfo\n      template_id: %s\n", strings.Join(p.Nodes, ", "), Template)
	}
	return b.String()
}

// Parse returns the plan parsed, as if read from Name.yaml.
func (p Plan) Parse(tb testing.TB) *plan.Plan {
	tb.Helper()
	parsed, err := plan.Parse(p.Name+".yaml", []byte(p.YAML()))
	if err != nil {
		tb.Fatalf("parse plan: %v", err)
	}
	return parsed
}

// Write writes the plan to dir/Name.yaml and returns that path.
func (p Plan) Write(tb testing.TB, dir string) string {
	tb.Helper()
	return WriteFile(tb, filepath.Join(dir, p.Name+".yaml"), p.YAML())
}

// WritePlan writes text to plan.yaml in a fresh temporary folder of tb and returns its path.
func WritePlan(tb testing.TB, text string) string {
	tb.Helper()
	return WriteFile(tb, filepath.Join(tb.TempDir(), "plan.yaml"), text)
}

// WriteFile writes text to path and returns path.
func WriteFile(tb testing.TB, path, text string) string {
	tb.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}
