package report

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"
)

// alignedSpill is how many bytes of rows an alignedTable keeps in memory before it spools
// them to a temporary file.
const alignedSpill = 1 << 20

// alignedTable writes lines of tab-separated cells aligned in columns, exactly as
// text/tabwriter.NewWriter(w, 0, 4, 2, ' ', 0) does for lines that all have the same
// cells, without holding the lines: tabwriter keeps every cell in memory until Flush,
// which for `planrun status` of a million requests is hundreds of MiB. The lines go to a
// temporary file (beyond the first MiB) and only the width of each column stays in memory;
// Flush writes them aligned. Write takes whole lines (each ending in '\n').
type alignedTable struct {
	w      io.Writer
	widths []int // widest cell of each column, in runes; the last cell of a line is not aligned
	mem    bytes.Buffer
	spool  *os.File
	sw     *bufio.Writer
	err    error
}

// newAlignedTable starts a table on w.
func newAlignedTable(w io.Writer) *alignedTable { return &alignedTable{w: w} }

// Write adds whole lines.
func (t *alignedTable) Write(p []byte) (int, error) {
	if t.err != nil {
		return 0, t.err
	}
	for line := range strings.SplitSeq(strings.TrimSuffix(string(p), "\n"), "\n") {
		cells := strings.Split(line, "\t")
		for i, c := range cells[:len(cells)-1] {
			if i == len(t.widths) {
				t.widths = append(t.widths, 0)
			}
			t.widths[i] = max(t.widths[i], utf8.RuneCountInString(c))
		}
	}
	if t.spool == nil && t.mem.Len()+len(p) > alignedSpill {
		f, err := os.CreateTemp("", "planrun-table-*")
		if err != nil {
			t.err = fmt.Errorf("table: %w", err)
			return 0, t.err
		}
		os.Remove(f.Name()) // the open file stays readable; nothing is left behind
		t.spool, t.sw = f, bufio.NewWriterSize(f, 64<<10)
		if _, err := t.sw.Write(t.mem.Bytes()); err != nil {
			t.err = err
			return 0, err
		}
		t.mem = bytes.Buffer{}
	}
	if t.spool != nil {
		if _, err := t.sw.Write(p); err != nil {
			t.err = err
			return 0, err
		}
		return len(p), nil
	}
	return t.mem.Write(p)
}

// Flush writes every line aligned and empties the table.
func (t *alignedTable) Flush() error {
	if t.err != nil {
		return t.err
	}
	var in io.Reader = &t.mem
	if t.spool != nil {
		defer t.spool.Close()
		if err := t.sw.Flush(); err != nil {
			return err
		}
		if _, err := t.spool.Seek(0, io.SeekStart); err != nil {
			return err
		}
		in = t.spool
	}
	out := bufio.NewWriterSize(t.w, 64<<10)
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	for sc.Scan() {
		cells := strings.Split(sc.Text(), "\t")
		for i, c := range cells[:len(cells)-1] {
			out.WriteString(c)
			out.WriteString(strings.Repeat(" ", t.widths[i]+2-utf8.RuneCountInString(c)))
		}
		out.WriteString(cells[len(cells)-1])
		out.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		return err
	}
	t.spool, t.sw, t.mem, t.widths = nil, nil, bytes.Buffer{}, nil
	return out.Flush()
}
