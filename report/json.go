package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/planrun/planrun/executor"
)

// ErrClosed is returned by Add and Close on a report that is already closed.
var ErrClosed = errors.New("report already closed")

// JSONReport streams the JSON report of a run (CONTRACT §3 --report, run --format json):
//
//	{"planrun_report":1,"started":...,"plans":[...],"requests":[
//	{...one request per line...}
//	],"summary":{...},"wait":{...},"finished":...,"interrupted":false}
//
// Each request is written as it is added and not kept, so memory stays bounded whatever
// the size of the plan. The document is valid JSON once Close returns, also with no
// request at all. A JSONReport is not safe for concurrent use (executor.Options.OnResult
// is never called concurrently).
type JSONReport struct {
	w      *bufio.Writer
	meta   Meta
	buf    bytes.Buffer
	enc    *json.Encoder
	n      int  // requests written
	opened bool // header written
	closed bool
	err    error // first write error, sticky
}

// NewJSON starts a JSON report on w; meta supplies the header (plans, start, endpoint).
// Nothing is written until the first Add or Close.
func NewJSON(w io.Writer, meta Meta) *JSONReport {
	r := &JSONReport{w: bufio.NewWriterSize(w, 64<<10), meta: meta}
	r.enc = json.NewEncoder(&r.buf)
	r.enc.SetEscapeHTML(false)
	return r
}

// Add writes one request's outcome.
func (r *JSONReport) Add(res executor.Result) error {
	if r.closed {
		return ErrClosed
	}
	if err := r.open(); err != nil {
		return err
	}
	sep := ",\n"
	if r.n == 0 {
		sep = "\n"
	}
	if err := r.write(sep, requestOf(res)); err != nil {
		return err
	}
	r.n++
	return nil
}

// Close writes the summary (sum, may be nil), the states after --wait (wait, nil without
// it), the end time and whether the run was interrupted (both from meta), and flushes.
// It does not close the underlying writer.
func (r *JSONReport) Close(sum *executor.Summary, wait *executor.WaitSummary, meta Meta) error {
	if r.closed {
		return ErrClosed
	}
	r.closed = true
	if err := r.open(); err != nil {
		return err
	}
	// The footer object is spliced in after the array: its '{' becomes the separator.
	r.buf.Reset()
	if err := r.enc.Encode(footerOf(sum, wait, meta)); err != nil {
		return fmt.Errorf("json report: encode summary: %w", err)
	}
	b := bytes.TrimSuffix(r.buf.Bytes(), []byte("\n"))
	end := "\n],"
	if r.n == 0 {
		end = "],"
	}
	if _, err := r.w.WriteString(end); err != nil {
		return r.fail(err)
	}
	if _, err := r.w.Write(b[1:]); err != nil {
		return r.fail(err)
	}
	if err := r.w.WriteByte('\n'); err != nil {
		return r.fail(err)
	}
	if err := r.w.Flush(); err != nil {
		return r.fail(err)
	}
	return nil
}

// open writes the header once: the header object without its closing brace, then the
// opening of the "requests" array.
func (r *JSONReport) open() error {
	if r.err != nil {
		return r.err
	}
	if r.opened {
		return nil
	}
	r.opened = true
	r.buf.Reset()
	if err := r.enc.Encode(headerOf(r.meta)); err != nil {
		return r.fail(fmt.Errorf("encode header: %w", err))
	}
	b := bytes.TrimSuffix(r.buf.Bytes(), []byte("\n"))
	if _, err := r.w.Write(b[:len(b)-1]); err != nil {
		return r.fail(err)
	}
	if _, err := r.w.WriteString(`,"requests":[`); err != nil {
		return r.fail(err)
	}
	return nil
}

// write encodes v and writes it after sep.
func (r *JSONReport) write(sep string, v any) error {
	if r.err != nil {
		return r.err
	}
	r.buf.Reset()
	if err := r.enc.Encode(v); err != nil {
		return fmt.Errorf("json report: encode: %w", err)
	}
	if _, err := r.w.WriteString(sep); err != nil {
		return r.fail(err)
	}
	if _, err := r.w.Write(bytes.TrimSuffix(r.buf.Bytes(), []byte("\n"))); err != nil {
		return r.fail(err)
	}
	return nil
}

// fail records the first write error and returns it wrapped.
func (r *JSONReport) fail(err error) error {
	if r.err == nil {
		r.err = fmt.Errorf("json report: %w", err)
	}
	return r.err
}
