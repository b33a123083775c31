package report

import (
	"io"

	"github.com/planrun/planrun/executor"
)

// junitSink renders JUnit XML: one test case per plan file for validate, one per request
// for a run (JUnitReport), which CI dashboards show as tests.
type junitSink struct {
	unsupported
	w   io.Writer
	run *JUnitReport // once the first result arrived
}

func newJUnitSink(w io.Writer, _ options) (Sink, error) {
	return &junitSink{unsupported: unsupported{"junit"}, w: w}, nil
}

func (s *junitSink) Checks(c []PlanCheck) error { return WriteValidationJUnit(s.w, c) }

func (s *junitSink) start() error {
	if s.run != nil {
		return nil
	}
	var err error
	s.run, err = NewJUnit(s.w)
	return err
}

func (s *junitSink) Result(r executor.Result) error {
	if err := s.start(); err != nil {
		return err
	}
	return s.run.Add(r)
}

// RunDone fails the test case of every request whose job ended Failed or Cancel after
// --wait, adds one skipped case per job for the requests an interruption never reached,
// and writes the document.
func (s *junitSink) RunDone(sum *executor.Summary, wait *executor.WaitSummary, meta Meta) error {
	if err := s.start(); err != nil {
		return err
	}
	err := s.run.ApplyWait(wait)
	if err == nil {
		err = s.run.AddUnreached(sum)
	}
	if cerr := s.run.Close(meta); err == nil {
		err = cerr
	}
	return err
}
