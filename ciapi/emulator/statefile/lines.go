// Package statefile holds the file primitives of the emulator's state file: reads of its
// lines (JSON Lines) with every read bounded (a line, or a
// value decoded from a stream, longer than a limit is an error that names its line, found
// after at most the limit was buffered), the names of the files refused, the file lock and
// the open that never waits on a FIFO. It imports no planrun package.
package statefile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
)

// ErrTooLong is matched by the error of a line or value longer than the limit.
var ErrTooLong = errors.New("too long")

// TooLongError is a line (numbered from 1) longer than Max bytes.
type TooLongError struct{ Line, Max int }

func (e *TooLongError) Error() string {
	return fmt.Sprintf("line %d is longer than %d bytes", e.Line, e.Max)
}

// Is makes a TooLongError match ErrTooLong.
func (e *TooLongError) Is(target error) bool { return target == ErrTooLong }

// Reader reads lines of at most max bytes each (their line break not counted).
type Reader struct {
	br   *bufio.Reader
	max  int
	line int // the number of the last line returned
	buf  []byte
}

// NewReader reads lines from r; the first line read is numbered after, plus one.
func NewReader(r io.Reader, max, after int) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 64<<10), max: max, line: after}
}

// Next returns the next line without its line break, and whether it had one (only the
// last line of the input may have none). At the end of the input it returns io.EOF; a
// line longer than the limit is a *TooLongError. The line is valid until the next call.
func (r *Reader) Next() (line []byte, broken bool, err error) {
	r.buf = r.buf[:0]
	for {
		chunk, err := r.br.ReadSlice('\n')
		if len(r.buf)+len(chunk) > r.max+1 || (len(r.buf)+len(chunk) == r.max+1 && err != nil) {
			return nil, false, &TooLongError{Line: r.line + 1, Max: r.max}
		}
		r.buf = append(r.buf, chunk...)
		switch {
		case err == nil:
			r.line++
			return r.buf[:len(r.buf)-1], true, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if len(r.buf) == 0 {
				return nil, false, io.EOF
			}
			r.line++
			return r.buf, false, nil
		default:
			return nil, false, err
		}
	}
}

// Line is the number of the last line returned.
func (r *Reader) Line() int { return r.line }

// Budget is a reader that gives at most Left more bytes of R, then fails with an error
// matching ErrTooLong: a decoder reading a stream of values through it, with Left set
// again before each value, buffers no value much longer than that.
type Budget struct {
	R    io.Reader
	Left int64
	Max  int64 // the budget set again by Reset, for the message
}

// Reset gives the next value its budget of b.Max bytes.
func (b *Budget) Reset() { b.Left = b.Max }

func (b *Budget) Read(p []byte) (int, error) {
	if b.Left <= 0 {
		return 0, fmt.Errorf("a value longer than %d bytes: %w", b.Max, ErrTooLong)
	}
	if int64(len(p)) > b.Left {
		p = p[:b.Left]
	}
	n, err := b.R.Read(p)
	b.Left -= int64(n)
	return n, err
}

// Kind names what a file that is not a regular file is ("a folder", "a FIFO", ...).
func Kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "a special file (" + m.Type().String() + ")"
}
