package results

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/report/safetext"
)

// resultsJUnit writes a JUnit document with a test suite per plan job (per run of
// consecutive records of one plan job) and a test case per object: a failure for a failed
// execution (type its Code, message its Message), skipped while running or when
// cancelled. The cases of the suite being written are spooled to a temporary file, so
// memory stays bounded whatever the number of objects.
type resultsJUnit struct {
	w      *bufio.Writer
	opts   ResultsOptions
	opened bool
	cur    *planJob
	spool  *os.File
	sw     *bufio.Writer
	tests  int
	fails  int
	skips  int
	err    error
}

// NewJUnit returns the JUnit XML writer of results on w: a test case per execution.
func NewJUnit(w io.Writer, opts ResultsOptions) ResultsWriter { return newResultsJUnit(w, opts) }

func newResultsJUnit(w io.Writer, opts ResultsOptions) *resultsJUnit {
	return &resultsJUnit{w: bufio.NewWriter(w), opts: opts}
}

func (j *resultsJUnit) open() error {
	if j.opened {
		return nil
	}
	j.opened = true
	j.w.WriteString(xml.Header)
	j.w.WriteString("<testsuites name=\"planrun results\">\n")
	f, err := os.CreateTemp("", "planrun-results-*.xml")
	if err != nil {
		return fmt.Errorf("junit spool: %w", err)
	}
	j.spool, j.sw = f, bufio.NewWriter(f)
	return nil
}

// flush writes the current suite: its header with the counts, then its spooled cases.
func (j *resultsJUnit) flush() error {
	if j.cur == nil {
		return nil
	}
	if err := j.sw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(j.w, "  <testsuite name=\"%s/%s\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"%d\">\n",
		xmlText(j.cur.plan), xmlText(j.cur.job), j.tests, j.fails, j.skips)
	if _, err := j.spool.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if _, err := io.Copy(j.w, j.spool); err != nil {
		return err
	}
	j.w.WriteString("  </testsuite>\n")
	if err := j.spool.Truncate(0); err != nil {
		return err
	}
	if _, err := j.spool.Seek(0, io.SeekStart); err != nil {
		return err
	}
	j.sw.Reset(j.spool)
	j.cur, j.tests, j.fails, j.skips = nil, 0, 0, 0
	return nil
}

func (j *resultsJUnit) Write(r *executor.ObjectResult) error {
	if j.err != nil {
		return j.err
	}
	j.err = j.write(r)
	return j.err
}

func (j *resultsJUnit) write(r *executor.ObjectResult) error {
	if err := j.open(); err != nil {
		return err
	}
	if j.cur != nil && (j.cur.plan != r.Plan || j.cur.job != r.Job) {
		if err := j.flush(); err != nil {
			return err
		}
	}
	if j.cur == nil {
		j.cur = &planJob{r.Plan, r.Job}
	}
	if !j.opts.keep(r) {
		return nil
	}
	via := "workflow " + r.Workflow
	if r.Tag != "" {
		via = "tag " + r.Tag
	}
	j.tests++
	fmt.Fprintf(j.sw, "    <testcase name=\"%s (%s)\" classname=\"%s.%s\">", xmlText(r.Object), xmlText(via), xmlText(r.Plan), xmlText(r.Job))
	switch r.State {
	case executor.StateSuccess:
	case executor.StateFailed:
		j.fails++
		msg := r.Message
		if r.DetailErr != nil {
			msg = r.DetailErr.Error()
		}
		fmt.Fprintf(j.sw, "<failure type=\"%s\" message=\"%s\">batch job %s, execution %s, attempt %d</failure>",
			xmlText(r.FailureCode()), xmlText(safetext.Line(msg)), xmlText(r.BatchJobID), xmlText(r.ExecutionID), r.Round)
	default:
		j.skips++
		fmt.Fprintf(j.sw, "<skipped message=\"%s\"/>", xmlText(r.State))
	}
	_, err := j.sw.WriteString("</testcase>\n")
	return err
}

func (j *resultsJUnit) Finish([]executor.ObjectCounts) error {
	if j.err != nil {
		return j.err
	}
	err := j.open()
	if err == nil {
		err = j.flush()
	}
	if j.spool != nil {
		j.spool.Close()
		os.Remove(j.spool.Name())
	}
	if err != nil {
		return err
	}
	j.w.WriteString("</testsuites>\n")
	return j.w.Flush()
}

// xmlText escapes s for XML text or an attribute, with the characters a terminal may act
// on written as character references (as report's JUnit does).
func xmlText(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return string(safetext.XML([]byte(b.String())))
}
