package report

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/report/safetext"
)

// annotationTitle is the title of every annotation planrun writes.
const annotationTitle = "planrun run"

// WriteGitHubAnnotations writes GitHub Actions workflow commands for a run: one "::error"
// per error code (the Code the service gave, or the kind of failure), naming how many
// requests failed with it and the first of them as an example:
// "::error title=planrun run::InvalidArgument: 37 requests failed, e.g. <plan>/<job>
// <name>: <Message> (RequestId: ...)"; a code that only one request hit reads as that
// failure. Codes with the most failures come first, at most 50 lines, then a "::notice"
// with the totals. Data and properties are escaped as the runner expects.
func WriteGitHubAnnotations(w io.Writer, sum *executor.Summary) error {
	if sum == nil {
		return nil
	}
	var b strings.Builder
	groups := groupBy(sum.Failures, func(f executor.Result) string { code, _ := failureText(f); return code })
	writeGroups(&b, groups, "requests", func(f executor.Result) string { return f.Plan + "/" + f.Job + " " + failureLine(f) })
	t := sum.Total
	msg := fmt.Sprintf("%d planned, %d skipped as already done, %d triggered, %d failed", t.Planned, t.Skipped, t.Triggered, t.Failed)
	if t.NotDone() > 0 {
		msg += fmt.Sprintf(", %d not done", t.NotDone())
	}
	command(&b, "notice", msg)
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write annotations: %w", err)
	}
	return nil
}

// WriteGitHubWaitAnnotations writes one "::error" per final state and code of the jobs
// that ended Failed or Cancel (or vanished) after --wait, like WriteGitHubAnnotations,
// and a "::notice" with the states.
func WriteGitHubWaitAnnotations(w io.Writer, wait *executor.WaitSummary) error {
	if wait == nil {
		return nil
	}
	var b strings.Builder
	groups := groupBy(wait.Failed, func(j executor.JobStatus) string { return clean(strings.TrimSuffix(j.State+" "+j.Code, " ")) })
	writeGroups(&b, groups, "jobs", func(j executor.JobStatus) string { return j.Plan + "/" + j.Job + " " + jobFailureLine(j) })
	var states []string
	for _, s := range stateOrder(wait.States) {
		states = append(states, fmt.Sprintf("%s %d", clean(s), wait.States[s]))
	}
	command(&b, "notice", "jobs after --wait: "+strings.Join(states, ", "))
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write annotations: %w", err)
	}
	return nil
}

// failureGroup is the failures that share one code, in the order they came.
type failureGroup[T any] struct {
	code  string
	items []T
}

// groupBy groups items by key, the largest group first (ties in the order they came).
func groupBy[T any](items []T, key func(T) string) []failureGroup[T] {
	index := map[string]int{}
	var groups []failureGroup[T]
	for _, it := range items {
		k := key(it)
		i, ok := index[k]
		if !ok {
			i = len(groups)
			index[k] = i
			groups = append(groups, failureGroup[T]{code: k})
		}
		groups[i].items = append(groups[i].items, it)
	}
	slices.SortStableFunc(groups, func(a, b failureGroup[T]) int { return cmp.Compare(len(b.items), len(a.items)) })
	return groups
}

// writeGroups writes one ::error per group (at most maxListed, then a warning with how
// many groups were left out): the lone failure of a group of one, else the code, the count
// and the first failure as an example.
func writeGroups[T any](b *strings.Builder, groups []failureGroup[T], noun string, line func(T) string) {
	for i, g := range groups {
		if i == maxListed {
			left := 0
			for _, g := range groups[i:] {
				left += len(g.items)
			}
			command(b, "warning", fmt.Sprintf("... and %d more failed %s with other codes (see --report)", left, noun))
			return
		}
		if len(g.items) == 1 {
			command(b, "error", line(g.items[0]))
			continue
		}
		code := g.code
		if code == "" {
			code = "no error code (network or client error)"
		}
		command(b, "error", fmt.Sprintf("%s: %d %s failed, e.g. %s (see --report for all)", clean(code), len(g.items), noun, line(g.items[0])))
	}
}

// command writes one workflow command line with the planrun title.
func command(b *strings.Builder, kind, data string) {
	fmt.Fprintf(b, "::%s title=%s::%s\n", kind, safetext.CommandProperty(annotationTitle), safetext.CommandData(data))
}

// validationGitHub writes one annotation per problem, which GitHub Actions shows on the
// pull request's diff at the problem's line.
func validationGitHub(w io.Writer, checks []PlanCheck) error {
	var b strings.Builder
	invalid := 0
	for _, c := range checks {
		if len(c.Problems) > 0 {
			invalid++
		}
		for _, p := range c.Problems {
			msg := p.Message
			if p.Path != "" {
				msg = p.Path + ": " + msg
			}
			fmt.Fprintf(&b, "::error file=%s,line=%d,col=%d,title=%s::%s\n", safetext.CommandProperty(p.File), max(p.Line, 1),
				max(p.Col, 1), safetext.CommandProperty("planrun validate"), safetext.CommandData(msg))
		}
	}
	if invalid == 0 {
		fmt.Fprintf(&b, "::notice title=%s::%s\n", safetext.CommandProperty("planrun validate"), safetext.CommandData(plural(len(checks), "plan")+" valid"))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// githubSink renders GitHub Actions workflow commands: an ::error annotation per problem
// of an invalid plan (on the diff, at its line) or per failed request or job, and a
// ::notice with the totals. The dry run prints the text tables (GitHub shows them in the
// log).
type githubSink struct {
	unsupported
	w     io.Writer
	known *executor.Known
}

func newGitHub(w io.Writer, o options) (Sink, error) {
	return &githubSink{unsupported: unsupported{"github"}, w: w, known: o.known}, nil
}

func (s *githubSink) Checks(c []PlanCheck) error { return validationGitHub(s.w, c) }

func (s *githubSink) Preview(plans []*plan.Plan, keep func(*plan.Request) bool) error {
	return previewText(s.w, plans, keep, s.known, 0)
}

// Result renders nothing: the annotations come with RunDone.
func (s *githubSink) Result(executor.Result) error { return nil }

func (s *githubSink) RunDone(sum *executor.Summary, wait *executor.WaitSummary, _ Meta) error {
	if err := WriteGitHubAnnotations(s.w, sum); err != nil {
		return err
	}
	return WriteGitHubWaitAnnotations(s.w, wait)
}
