package report

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
	"github.com/planrun/planrun/report/safetext"
)

// ErrClosed is returned by Add and Close on a report that is already closed.
var ErrClosed = errors.New("report already closed")

// JSONReport streams the JSON report of a run (--report, run --format json; the fields are listed in the README):
//
//	{"planrun_report":1,"started":...,"plans":[...],"requests":[
//	{...one request per line...}
//	],"summary":{...},"wait":{...},"finished":...,"interrupted":false}
//
// Rows are not kept in memory, so memory stays bounded whatever the size of the plan.
// Without plans, each request is written as it is added. When the plans are known
// (SetPlans), or meta.Wait says the run follows its jobs, the rows go to a temporary
// spool file and Close writes them: in the plans' order (the order requests finish in
// is not; only their place in the spool is kept, 12 bytes a request), each with its job's
// final state after --wait, and with a "not_done" row for every planned request that was
// never added (an interruption stopped the run before it), so the report lists every
// request, in order. The document is valid JSON once Close returns, also with no request at
// all. A JSONReport is not safe for concurrent use (executor.Options.OnResult is never
// called concurrently).
type JSONReport struct {
	w      *bufio.Writer
	meta   Meta
	buf    bytes.Buffer
	enc    *json.Encoder
	n      int  // requests written
	opened bool // header written
	closed bool
	err    error // first write error, sticky

	spool  *os.File      // rows waiting for Close (meta.Wait, or plans known)
	sw     *bufio.Writer // of spool
	spoolN int64         // bytes written to spool
	plans  []*plan.Plan  // SetPlans
	keep   func(*plan.Request) bool
	added  map[string][]spooled // per plan, where the row of each Seq is in the spool
	extra  []spooled            // rows spooled that no plan places (written last)
}

// spooled is where a row is in the spool: off+1 (0: none) and its length.
type spooled struct {
	off int64
	n   int32
}

// SetPlans gives the plans of the run and the requests of them it runs (keep; nil: all).
// The rows are then written at Close in the plans' order (plans in order, each request
// by its position in its plan's expansion), whatever the order they were added in, and
// every request never added is listed as not done. Call it before the first Add.
func (r *JSONReport) SetPlans(plans []*plan.Plan, keep func(*plan.Request) bool) {
	r.plans, r.keep, r.added = plans, keep, map[string][]spooled{}
	for _, p := range plans {
		r.added[p.Name] = nil
	}
}

// mark records where the row of request seq of plan is in the spool.
func (r *JSONReport) mark(plan string, seq int, at spooled) {
	rows, ok := r.added[plan]
	if !ok || seq < 0 || seq > 1<<31 {
		r.extra = append(r.extra, at)
		return
	}
	for len(rows) <= seq {
		rows = append(rows, spooled{})
	}
	if rows[seq].off != 0 { // added twice: both are written
		r.extra = append(r.extra, rows[seq])
	}
	rows[seq] = at
	r.added[plan] = rows
}

func (r *JSONReport) seen(plan string, seq int) spooled {
	rows := r.added[plan]
	if seq < 0 || seq >= len(rows) {
		return spooled{}
	}
	return rows[seq]
}

// NewJSON starts a JSON report on w; meta supplies the header (plans, start, endpoint).
// Nothing is written until the first Add or Close.
func NewJSON(w io.Writer, meta Meta) *JSONReport {
	r := &JSONReport{w: bufio.NewWriterSize(w, 64<<10), meta: meta}
	r.enc = json.NewEncoder(safetext.JSONWriter(&r.buf))
	r.enc.SetEscapeHTML(false)
	return r
}

// Add writes one request's outcome.
func (r *JSONReport) Add(res executor.Result) error {
	if r.closed {
		return ErrClosed
	}
	if r.meta.Wait || r.added != nil {
		at, err := r.spoolRow(requestOf(res))
		if err != nil {
			return err
		}
		if r.added != nil {
			r.mark(res.Plan, res.Seq, at)
		}
		return nil
	}
	return r.row(requestOf(res))
}

// row writes one request to the document.
func (r *JSONReport) row(j jsonRequest) error {
	if err := r.open(); err != nil {
		return err
	}
	sep := ",\n"
	if r.n == 0 {
		sep = "\n"
	}
	if err := r.write(sep, j); err != nil {
		return err
	}
	r.n++
	return nil
}

// spoolRow keeps j in the spool file until Close and says where.
func (r *JSONReport) spoolRow(j jsonRequest) (spooled, error) {
	if r.err != nil {
		return spooled{}, r.err
	}
	if r.spool == nil {
		f, err := os.CreateTemp("", "planrun-report-*")
		if err != nil {
			return spooled{}, r.fail(err)
		}
		os.Remove(f.Name()) // the open file stays readable; nothing is left behind
		r.spool, r.sw = f, bufio.NewWriterSize(f, 64<<10)
	}
	b, err := json.Marshal(j)
	if err != nil {
		return spooled{}, fmt.Errorf("json report: encode: %w", err)
	}
	b = safetext.JSON(b)
	at := spooled{off: r.spoolN + 1, n: int32(len(b))}
	if _, err := r.sw.Write(append(b, '\n')); err != nil {
		return spooled{}, r.fail(err)
	}
	r.spoolN += int64(len(b)) + 1
	return at, nil
}

// spooledRow reads back the row at at and gives it its job's last state from wait.
func (r *JSONReport) spooledRow(at spooled, wait *executor.WaitSummary, buf []byte) (jsonRequest, []byte, error) {
	var j jsonRequest
	buf = append(buf[:0], make([]byte, at.n)...)
	if _, err := r.spool.ReadAt(buf, at.off-1); err != nil {
		return j, buf, r.fail(fmt.Errorf("read spooled row: %w", err))
	}
	if err := json.Unmarshal(buf, &j); err != nil {
		return j, buf, r.fail(fmt.Errorf("read spooled row: %w", err))
	}
	if wait != nil {
		js, ok, err := wait.Job(context.Background(), j.Plan, j.Name)
		if err != nil {
			return j, buf, r.fail(fmt.Errorf("read the state of %s: %w", j.Name, err))
		}
		if ok {
			j.State = js.State
		}
	}
	return j, buf, nil
}

// inOrder writes every row in the plans' order: each request's spooled row, or a not_done
// row for one never added when the run left some not done; then the rows no plan places.
func (r *JSONReport) inOrder(sum *executor.Summary, wait *executor.WaitSummary, meta Meta) error {
	if r.spool != nil {
		if err := r.sw.Flush(); err != nil {
			return r.fail(err)
		}
		defer r.spool.Close()
	}
	reason := "not reached"
	switch {
	case meta.Stopped != "":
		reason = meta.Stopped
	case meta.Interrupted:
		reason = "interrupted"
	}
	notDone := sum != nil && sum.Total.NotDone() > 0
	var buf []byte
	for _, p := range r.plans {
		if !notDone && len(r.added[p.Name]) == 0 {
			continue
		}
		for q := range p.Requests() {
			if at := r.seen(q.Plan, q.Seq); at.off != 0 {
				j, b, err := r.spooledRow(at, wait, buf)
				if buf = b; err != nil {
					return err
				}
				if err := r.row(j); err != nil {
					return err
				}
				continue
			}
			if !notDone || !keeps(r.keep, &q) {
				continue
			}
			j := jsonRequest{jsonRequestID: idOf(&q.Key), Status: statusName(request.Planned), Reason: reason}
			if err := r.row(j); err != nil {
				return err
			}
		}
	}
	for _, at := range r.extra {
		j, b, err := r.spooledRow(at, wait, buf)
		if buf = b; err != nil {
			return err
		}
		if err := r.row(j); err != nil {
			return err
		}
	}
	return nil
}

// unspool writes the spooled rows, each with its job's last known state from wait.
func (r *JSONReport) unspool(wait *executor.WaitSummary) error {
	if r.spool == nil {
		return nil
	}
	defer r.spool.Close()
	if err := r.sw.Flush(); err != nil {
		return r.fail(err)
	}
	if _, err := r.spool.Seek(0, io.SeekStart); err != nil {
		return r.fail(err)
	}
	sc := bufio.NewScanner(r.spool)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	for sc.Scan() {
		var j jsonRequest
		if err := json.Unmarshal(sc.Bytes(), &j); err != nil {
			return r.fail(fmt.Errorf("read spooled row: %w", err))
		}
		// Each job's last state is read from the state file as its row goes by.
		js, ok, err := wait.Job(context.Background(), j.Plan, j.Name)
		if err != nil {
			return r.fail(fmt.Errorf("read the state of %s: %w", j.Name, err))
		}
		if ok {
			j.State = js.State
		}
		if err := r.row(j); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return r.fail(err)
	}
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
	if r.added != nil {
		if err := r.inOrder(sum, wait, meta); err != nil {
			return err
		}
	} else if err := r.unspool(wait); err != nil {
		return err
	}
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
