package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
)

// annotationTitle is the title of every annotation planrun writes.
const annotationTitle = "planrun run"

// WriteGitHubAnnotations writes GitHub Actions workflow commands for a run: one
// "::error title=planrun run::<plan>/<job> <name>: <Code>: <Message> (RequestId: ...)"
// per failed request (at most 50, then a warning with how many more) and a "::notice"
// with the totals. Data and properties are escaped as the runner expects.
func WriteGitHubAnnotations(w io.Writer, sum *executor.Summary) error {
	if sum == nil {
		return nil
	}
	var b strings.Builder
	for i, f := range sum.Failures {
		if i == maxListed {
			command(&b, "warning", fmt.Sprintf("... and %d more failed requests (see --report)", sum.Total.Failed-maxListed))
			break
		}
		command(&b, "error", f.Plan+"/"+f.Job+" "+failureLine(f))
	}
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

// WriteGitHubWaitAnnotations writes one "::error" per job that ended Failed or Cancel (or
// vanished) after --wait, at most 50, and a "::notice" with the states.
func WriteGitHubWaitAnnotations(w io.Writer, wait *executor.WaitSummary) error {
	if wait == nil {
		return nil
	}
	var b strings.Builder
	for i, j := range wait.Failed {
		if i == maxListed {
			command(&b, "warning", fmt.Sprintf("... and %d more failed jobs (see --report)", len(wait.Failed)-maxListed))
			break
		}
		command(&b, "error", j.Plan+"/"+j.Job+" "+jobFailureLine(j))
	}
	var states []string
	for _, s := range stateOrder(wait.States) {
		states = append(states, fmt.Sprintf("%s %d", s, wait.States[s]))
	}
	command(&b, "notice", "jobs after --wait: "+strings.Join(states, ", "))
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write annotations: %w", err)
	}
	return nil
}

// command writes one workflow command line with the planrun title.
func command(b *strings.Builder, kind, data string) {
	fmt.Fprintf(b, "::%s title=%s::%s\n", kind, escapeProperty(annotationTitle), escapeData(data))
}

// escapeData escapes the message of a workflow command.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a property value of a workflow command.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
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
			fmt.Fprintf(&b, "::error file=%s,line=%d,col=%d,title=%s::%s\n", escapeProperty(p.File), max(p.Line, 1),
				max(p.Col, 1), escapeProperty("planrun validate"), escapeData(msg))
		}
	}
	if invalid == 0 {
		fmt.Fprintf(&b, "::notice title=%s::%s\n", escapeProperty("planrun validate"), escapeData(plural(len(checks), "plan")+" valid"))
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
	return previewText(s.w, plans, keep, s.known)
}

// Result renders nothing: the annotations come with RunDone.
func (s *githubSink) Result(executor.Result) error { return nil }

func (s *githubSink) RunDone(sum *executor.Summary, wait *executor.WaitSummary, _ Meta) error {
	if err := WriteGitHubAnnotations(s.w, sum); err != nil {
		return err
	}
	return WriteGitHubWaitAnnotations(s.w, wait)
}
