package report

import (
	"bytes"
	"encoding/xml"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan/request"
)

// The usual JUnit XSD shape, as GitLab, Jenkins and GitHub reporters read it.
type xTestsuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    string       `xml:"tests,attr"`
	Failures string       `xml:"failures,attr"`
	Errors   string       `xml:"errors,attr"`
	Skipped  string       `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []xTestsuite `xml:"testsuite"`
}

type xTestsuite struct {
	Name       string `xml:"name,attr"`
	Tests      string `xml:"tests,attr"`
	Failures   string `xml:"failures,attr"`
	Errors     string `xml:"errors,attr"`
	Skipped    string `xml:"skipped,attr"`
	Time       string `xml:"time,attr"`
	Timestamp  string `xml:"timestamp,attr"`
	Properties []struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	} `xml:"properties>property"`
	Cases []xTestcase `xml:"testcase"`
}

type xTestcase struct {
	Name      string `xml:"name,attr"`
	Classname string `xml:"classname,attr"`
	Time      string `xml:"time,attr"`
	Failure   *struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Body    string `xml:",chardata"`
	} `xml:"failure"`
	Skipped *struct {
		Message string `xml:"message,attr"`
	} `xml:"skipped"`
	SystemOut string `xml:"system-out"`
}

var decimal = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)

// count parses a required non-negative integer attribute.
func count(t *testing.T, what, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		t.Fatalf("%s = %q: not a count", what, s)
	}
	return n
}

// parseJUnit decodes the report and checks the XSD rules: required attributes present,
// counts numeric and equal to the cases they count.
func parseJUnit(t *testing.T, b []byte) xTestsuites {
	t.Helper()
	if !bytes.HasPrefix(b, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
		t.Errorf("no XML declaration: %.60s", b)
	}
	var doc xTestsuites
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	var tests, failures, skipped int
	for _, s := range doc.Suites {
		if s.Name == "" || !decimal.MatchString(s.Time) {
			t.Errorf("suite %q: time %q", s.Name, s.Time)
		}
		var f, sk int
		for _, c := range s.Cases {
			if c.Name == "" || c.Classname == "" || !decimal.MatchString(c.Time) {
				t.Errorf("case %+v lacks a required attribute", c)
			}
			if c.Failure != nil {
				f++
				if c.Failure.Message == "" || c.Failure.Type == "" {
					t.Errorf("failure of %s lacks message/type", c.Name)
				}
			}
			if c.Skipped != nil {
				sk++
			}
		}
		if count(t, "tests", s.Tests) != len(s.Cases) || count(t, "failures", s.Failures) != f ||
			count(t, "skipped", s.Skipped) != sk || count(t, "errors", s.Errors) != 0 {
			t.Errorf("suite %s counts tests=%s failures=%s skipped=%s, cases %d/%d/%d",
				s.Name, s.Tests, s.Failures, s.Skipped, len(s.Cases), f, sk)
		}
		tests, failures, skipped = tests+len(s.Cases), failures+f, skipped+sk
	}
	if count(t, "tests", doc.Tests) != tests || count(t, "failures", doc.Failures) != failures ||
		count(t, "skipped", doc.Skipped) != skipped || count(t, "errors", doc.Errors) != 0 || !decimal.MatchString(doc.Time) {
		t.Errorf("testsuites totals %+v, want %d/%d/%d", doc, tests, failures, skipped)
	}
	return doc
}

func TestJUnitReport(t *testing.T) {
	var out bytes.Buffer
	j, err := NewJUnit(&out)
	if err != nil {
		t.Fatal(err)
	}
	clock := t0
	j.now = func() time.Time { clock = clock.Add(500 * time.Millisecond); return clock }
	for _, r := range fixtureResults() {
		if err := j.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.AddUnreached(fixtureSummary()); err != nil {
		t.Fatal(err)
	}
	meta := fixtureMeta()
	if err := j.Close(meta); err != nil {
		t.Fatal(err)
	}
	doc := parseJUnit(t, out.Bytes())

	if doc.Tests != "6" || doc.Failures != "2" || doc.Skipped != "2" || doc.Time != "3.250" {
		t.Errorf("totals tests=%s failures=%s skipped=%s time=%s", doc.Tests, doc.Failures, doc.Skipped, doc.Time)
	}
	if len(doc.Suites) != 3 || doc.Suites[0].Name != "video-backfill" || doc.Suites[1].Name != "thumbs" ||
		doc.Suites[2].Name != "idle" || doc.Suites[2].Tests != "0" {
		t.Fatalf("suites = %+v", doc.Suites)
	}
	v := doc.Suites[0]
	if v.Tests != "5" || v.Failures != "1" || v.Skipped != "2" || v.Time != "2.500" || v.Timestamp != "2024-05-01T08:00:00" {
		t.Errorf("video suite %+v", v)
	}
	if len(v.Properties) != 2 || v.Properties[0].Value != "plans/video.yaml" || v.Properties[1].Value != "2" {
		t.Errorf("properties %+v", v.Properties)
	}
	c := v.Cases
	if c[0].Classname != "video-backfill.videos" || c[0].Name != "video-backfill-videos-0-aaaa" ||
		c[0].Failure != nil || c[0].Skipped != nil || !strings.Contains(c[0].SystemOut, "b1111") {
		t.Errorf("triggered case %+v", c[0])
	}
	if c[1].Failure != nil || c[1].Skipped != nil || !strings.HasPrefix(c[1].SystemOut, "skipped: already done (state)") {
		t.Errorf("skipped-as-done case must pass: %+v", c[1])
	}
	f := c[2].Failure
	if f == nil || f.Type != "InvalidArgument" || f.Message != "InvalidArgument: bad prefix: 100%, a,b: <x> second line" ||
		!strings.Contains(f.Body, "RequestId: NjU4YmQ0ZDhf") || !strings.Contains(f.Body, "<x>\nsecond line") {
		t.Errorf("failed case %+v", c[2])
	}
	if c[3].Skipped == nil || c[3].Skipped.Message != "not run: interrupted" || c[3].Classname != "video-backfill.one-file" {
		t.Errorf("not-done case %+v", c[3])
	}
	if c[4].Skipped == nil || c[4].Name != "1 request not reached" {
		t.Errorf("unreached case %+v", c[4])
	}
	if tf := doc.Suites[1].Cases[0].Failure; tf == nil || tf.Type != "RequestError" || !strings.Contains(tf.Message, "connection refused") {
		t.Errorf("network failure %+v", tf)
	}
	if _, err := os.Stat(j.dir); !os.IsNotExist(err) {
		t.Errorf("spool %s not removed: %v", j.dir, err)
	}
	if err := j.Add(fixtureResults()[0]); err != ErrClosed {
		t.Errorf("Add after Close = %v", err)
	}
}

func TestJUnitInterleavedPlansAndEmpty(t *testing.T) {
	var out bytes.Buffer
	j, err := NewJUnit(&out)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		p := []string{"a", "b"}[i%2]
		r := executor.Result{Key: request.Key{Plan: p, Job: "j", Name: p + "-j-" + strconv.Itoa(i)},
			Status: request.Triggered}
		if i%7 == 0 {
			r.Status, r.Code, r.Message = request.Failed, "X", "bad \x00\x1b[31m char & \"q\""
		}
		if err := j.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Close(Meta{Plans: []PlanInfo{{Name: "b"}, {Name: "a"}}}); err != nil {
		t.Fatal(err)
	}
	doc := parseJUnit(t, out.Bytes())
	if doc.Tests != "300" || doc.Suites[0].Name != "b" || len(doc.Suites[0].Cases) != 150 {
		t.Errorf("tests %s, first suite %s with %d cases", doc.Tests, doc.Suites[0].Name, len(doc.Suites[0].Cases))
	}
	for _, c := range doc.Suites[1].Cases {
		if !strings.HasPrefix(c.Classname, "a.") {
			t.Fatalf("case %s of plan a in suite a: %s", c.Name, c.Classname)
		}
	}

	out.Reset()
	j, err = NewJUnit(&out)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Close(Meta{}); err != nil {
		t.Fatal(err)
	}
	if doc := parseJUnit(t, out.Bytes()); doc.Tests != "0" || len(doc.Suites) != 0 {
		t.Errorf("empty report %+v", doc)
	}
}
