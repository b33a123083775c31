package report

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan/request"
	"github.com/planrun/planrun/report/safetext"
)

// JUnitReport streams a JUnit XML report of a run (--junit, --format junit): one
// <testsuite> per plan inside <testsuites>, one <testcase> per request (classname
// "<plan>.<job>", name the request's Name). Failed requests carry a <failure> with the
// service's Code, Message and RequestId; requests skipped as already done pass, with a
// <system-out> saying so; requests an interruption left not done are <skipped>.
//
// A suite's counts come before its cases in the XML, so cases are spooled to one temporary
// file per plan and assembled by Close: memory stays bounded. Close removes the temporary
// files; a report that is never closed leaves them in the system temp directory.
// A JUnitReport is not safe for concurrent use.
type JUnitReport struct {
	w      io.Writer
	dir    string
	suites []*junitSuite
	byName map[string]*junitSuite
	// seen counts, per "<plan>\x00<job>", the not-done results added, see AddUnreached.
	seen   map[string]int
	now    func() time.Time
	closed bool
	err    error
}

// junitSuite is the spool of one plan's cases.
type junitSuite struct {
	name                     string
	file                     *os.File
	buf                      *bufio.Writer
	tests, failures, skipped int
	first, last              time.Time
}

// NewJUnit starts a JUnit report on w. It creates a temporary directory for the spool.
func NewJUnit(w io.Writer) (*JUnitReport, error) {
	dir, err := os.MkdirTemp("", "planrun-junit-")
	if err != nil {
		return nil, fmt.Errorf("junit report: %w", err)
	}
	return &JUnitReport{w: w, dir: dir, byName: map[string]*junitSuite{}, seen: map[string]int{},
		now: time.Now}, nil
}

// Add spools one request's outcome as a test case.
func (j *JUnitReport) Add(r executor.Result) error {
	if j.closed {
		return ErrClosed
	}
	if j.err != nil {
		return j.err
	}
	if r.Status == request.Planned {
		j.seen[r.Plan+"\x00"+r.Job]++
	}
	return j.addCase(r.Plan, caseOf(r))
}

// AddUnreached adds, for each job of sum, one skipped test case standing for the requests
// that were planned but never reported to Add (an interruption stopped the run before it
// reached them). It is optional; call it once, before Close.
func (j *JUnitReport) AddUnreached(sum *executor.Summary) error {
	if sum == nil {
		return nil
	}
	for _, jc := range sum.Jobs {
		n := jc.NotDone() - j.seen[jc.Plan+"\x00"+jc.Job]
		if n <= 0 {
			continue
		}
		c := junitCase{Name: fmt.Sprintf("%s not reached", plural(n, "request")),
			Classname: jc.Plan + "." + jc.Job, Time: "0", Skipped: &junitSkipped{Message: notRunMessage}}
		if err := j.addCase(jc.Plan, c); err != nil {
			return err
		}
		j.seen[jc.Plan+"\x00"+jc.Job] += n
	}
	return nil
}

// addCase writes c to the spool of plan.
func (j *JUnitReport) addCase(plan string, c junitCase) error {
	s, err := j.suite(plan)
	if err != nil {
		return j.fail(err)
	}
	b, err := xml.Marshal(c)
	if err != nil {
		return fmt.Errorf("junit report: encode %s: %w", c.Name, err)
	}
	b = safetext.XML(b)
	if _, err := s.buf.WriteString("    "); err != nil {
		return j.fail(err)
	}
	if _, err := s.buf.Write(b); err != nil {
		return j.fail(err)
	}
	if err := s.buf.WriteByte('\n'); err != nil {
		return j.fail(err)
	}
	now := j.now()
	if s.tests == 0 {
		s.first = now
	}
	s.last = now
	s.tests++
	switch {
	case c.Failure != nil:
		s.failures++
	case c.Skipped != nil:
		s.skipped++
	}
	return nil
}

// suite returns the spool of plan, creating it on first use.
func (j *JUnitReport) suite(plan string) (*junitSuite, error) {
	if s, ok := j.byName[plan]; ok {
		return s, nil
	}
	s := &junitSuite{name: plan}
	if err := s.create(j.dir, len(j.suites)); err != nil {
		return nil, err
	}
	j.byName[plan] = s
	j.suites = append(j.suites, s)
	return s, nil
}

// create opens the suite's spool file.
func (s *junitSuite) create(dir string, i int) error {
	f, err := os.Create(filepath.Join(dir, "suite-"+strconv.Itoa(i)+".xml"))
	if err != nil {
		return err
	}
	s.file, s.buf = f, bufio.NewWriterSize(f, 32<<10)
	return nil
}

// Close writes the whole document to w: every plan of meta (in order, with an empty suite
// for a plan with no request), then any other plan seen, and removes the spool. It does
// not close w.
func (j *JUnitReport) Close(meta Meta) error {
	if j.closed {
		return ErrClosed
	}
	j.closed = true
	defer j.cleanup()
	if j.err != nil {
		return j.err
	}
	for _, p := range meta.Plans {
		if _, err := j.suite(p.Name); err != nil {
			return j.fail(err)
		}
	}
	j.order(meta)
	bw := bufio.NewWriterSize(j.w, 64<<10)
	if err := j.assemble(bw, meta); err != nil {
		return j.fail(err)
	}
	if err := bw.Flush(); err != nil {
		return j.fail(err)
	}
	return nil
}

// cleanup closes and removes the spool.
func (j *JUnitReport) cleanup() {
	for _, s := range j.suites {
		s.file.Close()
	}
	os.RemoveAll(j.dir)
}

// fail records the first error and returns it wrapped.
func (j *JUnitReport) fail(err error) error {
	if j.err == nil {
		j.err = fmt.Errorf("junit report: %w", err)
	}
	return j.err
}
