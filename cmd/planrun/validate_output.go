package main

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"

	"github.com/planrun/planrun/plan"
)

func writeValidation(e *env, format string, results []fileResult) error {
	w := e.stdout
	switch format {
	case "json":
		return writeValidationJSON(w, results)
	case "github":
		writeValidationGitHub(w, results)
	case "junit":
		return writeValidationJUnit(w, results)
	default:
		writeValidationText(w, results)
	}
	return nil
}

func writeValidationText(w io.Writer, results []fileResult) {
	invalid, problems := 0, 0
	for _, r := range results {
		for _, p := range r.Problems {
			fmt.Fprintln(w, p.String())
		}
		if len(r.Problems) > 0 {
			invalid++
			problems += len(r.Problems)
		}
	}
	if invalid == 0 {
		fmt.Fprintf(w, "%s valid\n", plural(len(results), "plan"))
		return
	}
	fmt.Fprintf(w, "%s checked, %d invalid, %s\n", plural(len(results), "plan"), invalid, plural(problems, "problem"))
}

type jsonProblem struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

type jsonFile struct {
	Path     string        `json:"path"`
	Valid    bool          `json:"valid"`
	Plan     string        `json:"plan,omitempty"`
	Requests int           `json:"requests,omitempty"`
	Problems []jsonProblem `json:"problems"`
}

func writeValidationJSON(w io.Writer, results []fileResult) error {
	out := struct {
		Valid bool       `json:"valid"`
		Files []jsonFile `json:"files"`
	}{Valid: true, Files: []jsonFile{}}
	for _, r := range results {
		f := jsonFile{Path: r.Path, Valid: len(r.Problems) == 0, Requests: r.Requests, Problems: []jsonProblem{}}
		if r.Plan != nil {
			f.Plan = r.Plan.Name
		}
		for _, p := range r.Problems {
			f.Problems = append(f.Problems, jsonProblem{p.File, p.Line, p.Col, p.Path, p.Message})
		}
		out.Valid = out.Valid && f.Valid
		out.Files = append(out.Files, f)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// writeValidationGitHub prints one workflow-command annotation per problem, which GitHub
// Actions shows on the pull request's diff.
func writeValidationGitHub(w io.Writer, results []fileResult) {
	for _, r := range results {
		for _, p := range r.Problems {
			fmt.Fprintln(w, githubAnnotation("error", p.File, p.Line, p.Col, "planrun validate", problemText(p)))
		}
	}
	writeValidationText(io.Discard, results)
}

func problemText(p plan.Problem) string {
	if p.Path == "" {
		return p.Message
	}
	return p.Path + ": " + p.Message
}

// githubAnnotation renders ::level file=..,line=..,col=..,title=..::message with the escaping
// GitHub's workflow commands require.
func githubAnnotation(level, file string, line, col int, title, msg string) string {
	s := "::" + level + " "
	props := []string{}
	if file != "" {
		props = append(props, "file="+ghProp(file))
		if line > 0 {
			props = append(props, "line="+strconv.Itoa(line))
		}
		if col > 0 {
			props = append(props, "col="+strconv.Itoa(col))
		}
	}
	if title != "" {
		props = append(props, "title="+ghProp(title))
	}
	for i, p := range props {
		if i > 0 {
			s += ","
		}
		s += p
	}
	return s + "::" + ghData(msg)
}

func ghData(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '%':
			out = append(out, "%25"...)
		case '\r':
			out = append(out, "%0D"...)
		case '\n':
			out = append(out, "%0A"...)
		default:
			out = append(out, s[i])
		}
	}
	return string(out)
}

func ghProp(s string) string {
	s = ghData(s)
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ':':
			out = append(out, "%3A"...)
		case ',':
			out = append(out, "%2C"...)
		default:
			out = append(out, s[i])
		}
	}
	return string(out)
}

// JUnit XML: one test case per plan file.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      string      `xml:"time,attr"`
	TestCases []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr,omitempty"`
}

func writeJUnit(w io.Writer, s junitSuites) error {
	for _, su := range s.Suites {
		s.Tests += su.Tests
		s.Failures += su.Failures
		s.Errors += su.Errors
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(s); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func writeValidationJUnit(w io.Writer, results []fileResult) error {
	suite := junitSuite{Name: "planrun validate", Time: "0"}
	for _, r := range results {
		c := junitCase{Name: r.Path, ClassName: "planrun.validate", Time: "0"}
		if len(r.Problems) > 0 {
			text := ""
			for _, p := range r.Problems {
				text += p.String() + "\n"
			}
			c.Failure = &junitFailure{Message: plural(len(r.Problems), "problem"), Type: "invalid plan", Text: text}
			suite.Failures++
		} else {
			c.SystemOut = fmt.Sprintf("valid: %s", plural(r.Requests, "request"))
		}
		suite.Tests++
		suite.TestCases = append(suite.TestCases, c)
	}
	return writeJUnit(w, junitSuites{Name: "planrun", Suites: []junitSuite{suite}})
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
