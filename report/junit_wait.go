package report

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"os"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/report/safetext"
)

// ApplyWait folds the outcome of --wait into the report, so that a CI dashboard shows red
// when a triggered job went red: the test case of every request whose job ended Failed or
// Cancel, or vanished (executor.StateNotFound), becomes a <failure> (type the job's Code,
// or its state when it has none; message the job's Message), and the counts follow. The
// case of a job still unfinished when waiting stopped says so in its <system-out>. A job
// of ws.Failed whose request has no test case gets a failed test case of its own.
//
// Memory stays flat: the spooled cases are rewritten on disk one at a time, each job's
// state read from ws (the state file) as its case goes by; only the few jobs of ws.Failed
// are held. Call it once, after the last Add and before Close; a nil ws does nothing.
func (j *JUnitReport) ApplyWait(ws *executor.WaitSummary) error {
	if j.closed {
		return ErrClosed
	}
	if j.err != nil || ws == nil || (ws.FailedCount() == 0 && ws.Unfinished == 0) {
		return j.err
	}
	left := waitIndex{} // the jobs of ws.Failed not yet seen as a case
	for i := range ws.Failed {
		left.add(&ws.Failed[i])
	}
	for _, s := range j.suites {
		job := func(name string) (*executor.JobStatus, error) {
			delete(left[s.name], name)
			js, ok, err := ws.Job(context.Background(), s.name, name)
			if err != nil || !ok || (js.Final() && js.State == executor.StateSuccess) {
				return nil, err
			}
			return js, nil
		}
		if err := j.rewrite(s, job); err != nil {
			return j.fail(fmt.Errorf("apply wait to suite %s: %w", s.name, err))
		}
	}
	for i := range ws.Failed {
		js := &ws.Failed[i]
		if _, ok := left[js.Plan][js.Name]; !ok {
			continue
		}
		c := junitCase{Name: js.Name, Classname: js.Plan + "." + js.Job, Time: "0", Failure: jobFailure(js)}
		if err := j.addCase(js.Plan, c); err != nil {
			return err
		}
	}
	return nil
}

// waitIndex maps a plan and a request Name to the status of its job.
type waitIndex map[string]map[string]*executor.JobStatus

// add indexes js.
func (w waitIndex) add(js *executor.JobStatus) {
	m := w[js.Plan]
	if m == nil {
		m = map[string]*executor.JobStatus{}
		w[js.Plan] = m
	}
	m[js.Name] = js
}

// rewrite copies the spool of s into a new file, rewriting the case of every request whose
// job (returned by job; nil: leave it) ended red or is unfinished, and adjusts the counts
// of s.
func (j *JUnitReport) rewrite(s *junitSuite, job func(name string) (*executor.JobStatus, error)) error {
	if err := s.buf.Flush(); err != nil {
		return err
	}
	if _, err := s.file.Seek(0, io.SeekStart); err != nil {
		return err
	}
	old := s.file
	defer old.Close()
	f, err := os.Create(old.Name() + ".wait")
	if err != nil {
		return err
	}
	out := bufio.NewWriterSize(f, 32<<10)
	s.file, s.buf = f, out // cleanup closes the new file whatever happens next
	in := bufio.NewReaderSize(old, 32<<10)
	for {
		line, rerr := in.ReadBytes('\n')
		if len(line) > 0 {
			if line, err = s.waitCase(line, job); err != nil {
				return err
			}
			if _, err := out.Write(line); err != nil {
				return err
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return rerr
		}
	}
	old.Close()
	return os.Remove(old.Name()) // the spool directory goes at Close anyway
}

// casePrefix starts every spooled test case line (addCase writes one case per line:
// encoding/xml escapes line breaks in text and attributes).
const casePrefix = `    <testcase name="`

// waitCase returns line, rewritten when it is the test case of a job that job returns.
func (s *junitSuite) waitCase(line []byte, job func(name string) (*executor.JobStatus, error)) ([]byte, error) {
	rest, ok := bytes.CutPrefix(line, []byte(casePrefix))
	if !ok {
		return line, nil
	}
	end := bytes.IndexByte(rest, '"')
	if end < 0 {
		return line, nil
	}
	name := string(rest[:end])
	var c junitCase
	decoded := false
	if bytes.IndexByte(rest[:end], '&') >= 0 { // an escaped name: decode it properly
		if err := xml.Unmarshal(line, &c); err != nil {
			return nil, fmt.Errorf("read spooled case: %w", err)
		}
		name, decoded = c.Name, true
	}
	js, err := job(name)
	if err != nil || js == nil {
		return line, err
	}
	if !decoded {
		if err := xml.Unmarshal(line, &c); err != nil {
			return nil, fmt.Errorf("read spooled case %s: %w", name, err)
		}
	}
	switch {
	case !js.Final():
		c.SystemOut += fmt.Sprintf("job %s still %s when waiting stopped\n", js.JobID, js.State)
	case c.Failure == nil:
		if c.Skipped != nil {
			c.Skipped = nil
			s.skipped--
		}
		c.Failure = jobFailure(js)
		s.failures++
	}
	b, err := xml.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode case %s: %w", name, err)
	}
	return append(append([]byte("    "), safetext.XML(b)...), '\n'), nil
}

// jobFailure renders a job that ended Failed or Cancel, or vanished, as a <failure>.
func jobFailure(js *executor.JobStatus) *junitFailure {
	msg := js.Message
	if msg == "" {
		switch js.State {
		case executor.StateNotFound:
			msg = fmt.Sprintf("job %s no longer exists on the service", js.JobID)
		default:
			msg = fmt.Sprintf("job %s ended %s", js.JobID, js.State)
		}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "Job: %s\nState: %s\n", js.JobID, js.State)
	if js.Code != "" {
		fmt.Fprintf(&b, "Code: %s\n", js.Code)
	}
	fmt.Fprintf(&b, "Message: %s\n", msg)
	if js.Bucket != "" {
		fmt.Fprintf(&b, "Bucket: %s (%s)\n", js.Bucket, js.Region)
	}
	return &junitFailure{Message: clean(msg), Type: clean(cmp.Or(js.Code, js.State)), Body: b.String()}
}
