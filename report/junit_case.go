package report

import (
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan/request"
)

// junitCase is one <testcase>: one request.
type junitCase struct {
	XMLName   xml.Name      `xml:"testcase"`
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// notRunMessage is the <skipped> message of requests an interruption left not done.
const notRunMessage = "not run: interrupted"

// caseOf renders a result. Skipped requests (already done) pass: for a CI dashboard they
// are done, not ignored; requests left not done are <skipped>.
func caseOf(r executor.Result) junitCase {
	c := junitCase{Name: r.Name, Classname: r.Plan + "." + r.Job, Time: "0"}
	switch r.Status {
	case request.Failed:
		code, msg := failureText(r)
		typ := code
		if typ == "" {
			typ = "RequestError"
		}
		head := msg
		if code != "" {
			head = code + ": " + msg
		}
		var b strings.Builder
		if code != "" {
			fmt.Fprintf(&b, "Code: %s\n", code)
		}
		fmt.Fprintf(&b, "Message: %s\n", msg)
		if r.RequestID != "" {
			fmt.Fprintf(&b, "RequestId: %s\n", r.RequestID)
		}
		fmt.Fprintf(&b, "Attempts: %d\n", r.Attempts)
		fmt.Fprintf(&b, "Bucket: %s (%s)\n", r.Bucket, r.Region)
		c.Failure = &junitFailure{Message: clean(head), Type: typ, Body: b.String()}
	case request.Skipped:
		c.SystemOut = fmt.Sprintf("skipped: already done (%s), job %s %s\n", r.Reason, r.JobID, r.JobState)
	case request.Triggered:
		c.SystemOut = fmt.Sprintf("triggered: job %s\n", r.JobID)
	default:
		c.Skipped = &junitSkipped{Message: notRunMessage}
	}
	return c
}
