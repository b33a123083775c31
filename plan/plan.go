// Package plan loads planrun plan files (YAML, version 1), checks them against the JSON
// Schema and the semantic rules the README lists, and expands them into the individual
// trigger requests, streamed in the order of the README's "Expansion". It does no network
// I/O and prints nothing.
package plan

import (
	"time"

	"github.com/planrun/planrun/plan/request"
)

// Pos is a position in a plan file, 1-based.
type Pos struct {
	Line, Col int
}

// Plan is a loaded, valid plan with defaults already applied to every job.
type Plan struct {
	Path       string // the file it was read from, as given
	Version    int
	Name       string
	NamePos    Pos // where the name's value is written
	Generation int // 1 when not set
	Jobs       []Job
	// Warnings are things that are valid but probably not meant, e.g. a window start
	// whose offset is not the job's timezone's; sorted like Problems.
	Warnings []Problem
	// source, when set, replaces the expansion of Jobs (see Derived).
	source func(yield func(Request) bool)
}

// Job is one entry of `jobs`, with the plan defaults resolved into it.
type Job struct {
	Name string
	Pos  Pos // where the job's mapping starts
	// WindowPos is where the job's window step (every) is written, else its window key;
	// zero without a window. Messages about the number of windows point here.
	WindowPos Pos
	Type      string // "workflow" or "job"
	Bucket    string
	Region    string
	Timezone  *time.Location
	TZName    string // the timezone as written ("Asia/Shanghai", "+08:00"); "UTC" when unset

	// Exactly one input kind is set: Prefixes (from prefix or prefixes), Manifest, URLFile, Object.
	Prefixes []string
	Manifest string
	URLFile  string
	Object   string

	Workflows []string // type workflow: from workflow/workflows or defaults.workflow
	Node      *Node    // type job
	Window    *Window  // prefix inputs only
}

// Node is an independent processing node (`type: job`).
type Node struct {
	// The field order is the order of the canonical request (canon.go): keep it.
	Tag        string
	TemplateID string
	QueueID    string
	Callback   string
	UserData   string
	JobLevel   *int
	Output     *Output
}

// Output is where a node writes its results.
type Output struct {
	Region, Bucket, Object string
}

// Window is a half-open time range [Start, End), split into steps of Every when set.
type Window struct {
	Start, End time.Time
	Every      *Step // nil: one window
}

// Step is a window step: either a fixed duration or a calendar step in days and months
// that follows the wall clock of the job's timezone.
type Step struct {
	Duration time.Duration // Go duration steps ("30m", "6h")
	Days     int           // "Nd" and "Nw" (7N days)
	Months   int           // "Nmo"
	Text     string        // as written
}

// Input kinds of a Request.
const (
	InputPrefix   = "Prefix"
	InputManifest = "Manifest"
	InputURLFile  = "UrlFile"
	InputObject   = "Object"
)

// Request is one API request of an expanded plan: one input x one workflow x one window.
// The body sent to the service is built from a Request alone, and every field not tagged
// `digest:"-"` (its Key's included) is part of its Digest (canon.go): a new field is
// covered by construction, and the field order is the serialisation order, so keep it.
type Request struct {
	request.Key        // what identifies it: plan, job, Seq, Name, bucket, ..., window
	Node        *Node  // type Job only
	Digest      string `digest:"-"` // hex SHA-256 of the canonical request and the generation
}
