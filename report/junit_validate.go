package report

import (
	"encoding/xml"
	"io"
	"strings"

	"github.com/planrun/planrun/report/safetext"
)

// validationSuites is the JUnit document of a validation: one suite, a case per file.
type validationSuites struct {
	XMLName  xml.Name `xml:"testsuites"`
	Name     string   `xml:"name,attr"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Suite    struct {
		Name     string      `xml:"name,attr"`
		Tests    int         `xml:"tests,attr"`
		Failures int         `xml:"failures,attr"`
		Errors   int         `xml:"errors,attr"`
		Skipped  int         `xml:"skipped,attr"`
		Time     string      `xml:"time,attr"`
		Cases    []junitCase `xml:"testcase"`
	} `xml:"testsuite"`
}

// WriteValidationJUnit writes JUnit XML with one test case per plan file, failed with every
// problem when the plan is invalid.
func WriteValidationJUnit(w io.Writer, checks []PlanCheck) error {
	var doc validationSuites
	doc.Name, doc.Suite.Name, doc.Suite.Time = "planrun", "planrun validate", "0"
	for _, c := range checks {
		tc := junitCase{Name: c.Path, Classname: "planrun.validate", Time: "0"}
		if len(c.Problems) > 0 {
			var text strings.Builder
			for _, p := range c.Problems {
				text.WriteString(p.String() + "\n")
			}
			tc.Failure = &junitFailure{Message: plural(len(c.Problems), "problem"), Type: "invalid plan", Body: text.String()}
			doc.Suite.Failures++
		} else {
			tc.SystemOut = "valid: " + plural(c.Requests, "request")
		}
		doc.Suite.Tests++
		doc.Suite.Cases = append(doc.Suite.Cases, tc)
	}
	doc.Tests, doc.Failures = doc.Suite.Tests, doc.Suite.Failures
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	b, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(safetext.XML(b), '\n'))
	return err
}
