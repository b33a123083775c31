package report

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/planrun/planrun/report/safetext"
)

// order puts the suites of meta's plans first, in meta's order, then the others as seen.
func (j *JUnitReport) order(meta Meta) {
	rank := map[string]int{}
	for i, p := range meta.Plans {
		if _, ok := rank[p.Name]; !ok {
			rank[p.Name] = i
		}
	}
	key := func(s *junitSuite) int {
		if r, ok := rank[s.name]; ok {
			return r
		}
		return len(meta.Plans)
	}
	slices.SortStableFunc(j.suites, func(a, b *junitSuite) int { return key(a) - key(b) })
}

// assemble writes the document: the totals, then each suite's header and spooled cases.
func (j *JUnitReport) assemble(w *bufio.Writer, meta Meta) error {
	info := map[string]PlanInfo{}
	for _, p := range meta.Plans {
		info[p.Name] = p
	}
	var tests, failures, skipped int
	for _, s := range j.suites {
		tests, failures, skipped = tests+s.tests, failures+s.failures, skipped+s.skipped
	}
	total, _ := meta.Duration()
	w.WriteString(xml.Header)
	fmt.Fprintf(w, `<testsuites name="planrun" tests="%d" failures="%d" errors="0" skipped="%d" time="%s">`+"\n",
		tests, failures, skipped, seconds(total))
	for _, s := range j.suites {
		if err := s.buf.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(w, `  <testsuite name="%s" tests="%d" failures="%d" errors="0" skipped="%d" time="%s"`,
			attr(s.name), s.tests, s.failures, s.skipped, seconds(s.last.Sub(s.first)))
		if !meta.Started.IsZero() {
			fmt.Fprintf(w, ` timestamp="%s"`, meta.Started.UTC().Format("2006-01-02T15:04:05"))
		}
		w.WriteString(">\n")
		if p, ok := info[s.name]; ok {
			fmt.Fprintf(w, "    <properties>\n      <property name=\"path\" value=\"%s\"/>\n"+
				"      <property name=\"generation\" value=\"%d\"/>\n    </properties>\n", attr(p.Path), p.Generation)
		}
		if _, err := s.file.Seek(0, io.SeekStart); err != nil {
			return err
		}
		if _, err := io.Copy(w, s.file); err != nil {
			return err
		}
		w.WriteString("  </testsuite>\n")
	}
	_, err := w.WriteString("</testsuites>\n")
	return err
}

// seconds renders d as JUnit's decimal seconds.
func seconds(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 3, 64)
}

// attr escapes s for an XML attribute value.
func attr(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return string(safetext.XML([]byte(b.String())))
}
