package report

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/planrun/planrun/plan"
)

// PlanCheck is the outcome of checking one plan file (`planrun validate`).
type PlanCheck struct {
	Path     string
	Plan     string // the plan's name, when it is valid
	Requests int    // how many requests it expands to, when it is valid
	Problems []plan.Problem
}

// WriteValidation renders checks in format: "text" (one file:line:col problem per line and
// a count), "json" (one document), "github" (an ::error annotation per problem) or "junit"
// (one test case per plan file).
func WriteValidation(w io.Writer, format string, checks []PlanCheck) error {
	switch format {
	case "json":
		return validationJSON(w, checks)
	case "github":
		return validationGitHub(w, checks)
	case "junit":
		return WriteValidationJUnit(w, checks)
	}
	return validationText(w, checks)
}

func validationText(w io.Writer, checks []PlanCheck) error {
	var b strings.Builder
	invalid, problems := 0, 0
	for _, c := range checks {
		for _, p := range c.Problems {
			b.WriteString(p.String() + "\n")
		}
		if len(c.Problems) > 0 {
			invalid++
			problems += len(c.Problems)
		}
	}
	if invalid == 0 {
		fmt.Fprintf(&b, "%s valid\n", plural(len(checks), "plan"))
	} else {
		fmt.Fprintf(&b, "%s checked, %d invalid, %s\n", plural(len(checks), "plan"), invalid, plural(problems, "problem"))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

type jsonProblem struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

type jsonCheck struct {
	Path     string        `json:"path"`
	Valid    bool          `json:"valid"`
	Plan     string        `json:"plan,omitempty"`
	Requests int           `json:"requests,omitempty"`
	Problems []jsonProblem `json:"problems"`
}

func validationJSON(w io.Writer, checks []PlanCheck) error {
	out := struct {
		Valid bool        `json:"valid"`
		Files []jsonCheck `json:"files"`
	}{Valid: true, Files: []jsonCheck{}}
	for _, c := range checks {
		f := jsonCheck{Path: c.Path, Valid: len(c.Problems) == 0, Plan: c.Plan, Requests: c.Requests, Problems: []jsonProblem{}}
		for _, p := range c.Problems {
			f.Problems = append(f.Problems, jsonProblem{p.File, max(p.Line, 1), max(p.Col, 1), p.Path, p.Message})
		}
		out.Valid = out.Valid && f.Valid
		out.Files = append(out.Files, f)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
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
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
