package report

import (
	"fmt"
	"strings"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan/request"
	"github.com/planrun/planrun/report/layout"
	"github.com/planrun/planrun/report/safetext"
)

// maxListed caps the failures listed by the text summary, the step summary and the GitHub
// annotations; the JSON report always has them all.
const maxListed = layout.MaxListed

// clean makes service-provided text safe for one line of a terminal or a table (see
// safetext.Line): line breaks and tabs become spaces, other control characters are shown
// escaped, workflow commands are broken.
func clean(s string) string { return safetext.Line(s) }

// failureText returns the Code and Message of a failed result; the message falls back to
// the error when the service gave none (network errors, timeouts).
func failureText(r executor.Result) (code, message string) {
	message = r.Message
	if message == "" && r.Err != nil {
		message = r.Err.Error()
	}
	return r.Code, message
}

// failureLine renders a failed request as "<name>: <Code>: <Message> (RequestId: <id>,
// attempts: N)", leaving out the parts that are unknown.
func failureLine(r executor.Result) string {
	return clean(r.Name) + ": " + failureDetail(r)
}

// failureDetail is failureLine without the name.
func failureDetail(r executor.Result) string {
	code, msg := failureText(r)
	var b strings.Builder
	if code != "" {
		b.WriteString(code)
		b.WriteString(": ")
	}
	if msg == "" {
		msg = "failed"
	}
	b.WriteString(msg)
	b.WriteString(" (")
	if r.RequestID != "" {
		fmt.Fprintf(&b, "RequestId: %s, ", r.RequestID)
	}
	fmt.Fprintf(&b, "attempts: %d)", r.Attempts)
	return clean(b.String())
}

// jobFailureLine renders a job that ended Failed or Cancel (or vanished) after --wait.
func jobFailureLine(j executor.JobStatus) string {
	return clean(j.Name) + " " + jobFailureDetail(j)
}

// jobFailureDetail is jobFailureLine without the name.
func jobFailureDetail(j executor.JobStatus) string {
	s := fmt.Sprintf("(%s): %s", j.JobID, j.State)
	if j.Code != "" {
		s += ": " + j.Code
	}
	if j.Message != "" {
		s += ": " + j.Message
	}
	return clean(s)
}

// statusName is the reports' name of a request's status: a request a run left planned (an
// interruption, the failure budget) is "not_done".
func statusName(s request.Status) string {
	if s == request.Planned {
		return "not_done"
	}
	return string(s)
}

// plural returns "n word" or "n words".
func plural(n int, word string) string { return layout.Plural(n, word) }
