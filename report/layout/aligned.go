package layout

import (
	"bufio"
	"bytes"
	"container/heap"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// alignedSpill is how many bytes of rows an alignedTable keeps in memory before it spools
// them to a temporary file.
const AlignedSpill = 1 << 20

// alignedTable writes lines of tab-separated cells aligned in columns, exactly as
// text/tabwriter.NewWriter(w, 0, 4, 2, ' ', 0) does for lines that all have the same
// cells, without holding the lines: tabwriter keeps every cell in memory until Flush,
// which for `planrun status` of a million requests is hundreds of MiB. The lines go to a
// temporary file (beyond the first MiB) and only the width of each column stays in memory;
// Flush writes them aligned. Write takes whole lines (each ending in '\n').
//
// With a width (fit), Flush fits the table to it as layoutColumns does; with sorted, the
// lines after the first (the head) are written in byte order, sorted in runs of a MiB
// spooled to temporary files and merged, so that memory stays bounded there too.
type AlignedTable struct {
	W      io.Writer
	widths []int // widest cell of each column, in columns; the last cell of a line is not aligned
	last   int   // widest last cell
	mem    bytes.Buffer
	spool  *os.File
	sw     *bufio.Writer
	err    error

	Indent string // before every line
	Specs  []ColSpec
	Width  int  // fit to this many columns; <= 0: whole values
	Sorted bool // lines after the head in byte order
	head   string
	lines  []string   // sorted: the current run
	size   int        // bytes in lines
	runs   []*os.File // sorted: runs spooled so far
}

// newAlignedTable starts a table on w.
func NewAlignedTable(w io.Writer) *AlignedTable { return &AlignedTable{W: w} }

// Write adds whole lines.
func (t *AlignedTable) Write(p []byte) (int, error) {
	if t.err != nil {
		return 0, t.err
	}
	for line := range strings.SplitSeq(strings.TrimSuffix(string(p), "\n"), "\n") {
		cells := strings.Split(line, "\t")
		for i, c := range cells[:len(cells)-1] {
			if i == len(t.widths) {
				t.widths = append(t.widths, 0)
			}
			t.widths[i] = max(t.widths[i], TextWidth(c))
		}
		t.last = max(t.last, TextWidth(cells[len(cells)-1]))
		if t.Sorted {
			if err := t.addSorted(line); err != nil {
				return 0, err
			}
		}
	}
	if t.Sorted {
		return len(p), nil
	}
	if t.spool == nil && t.mem.Len()+len(p) > AlignedSpill {
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

// addSorted keeps one line of a sorted table: the first is the head.
func (t *AlignedTable) addSorted(line string) error {
	if t.head == "" && t.lines == nil && t.runs == nil {
		t.head, t.lines = line, []string{}
		return nil
	}
	t.lines = append(t.lines, line)
	t.size += len(line) + 16
	if t.size > AlignedSpill {
		return t.spillRun()
	}
	return nil
}

// spillRun sorts the lines held and writes them to a temporary file of their own.
func (t *AlignedTable) spillRun() error {
	slices.Sort(t.lines)
	f, err := os.CreateTemp("", "planrun-table-*")
	if err != nil {
		t.err = fmt.Errorf("table: %w", err)
		return t.err
	}
	os.Remove(f.Name())
	bw := bufio.NewWriterSize(f, 64<<10)
	for _, l := range t.lines {
		bw.WriteString(l)
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		t.err = fmt.Errorf("table: %w", err)
		return t.err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		t.err = fmt.Errorf("table: %w", err)
		return t.err
	}
	t.runs = append(t.runs, f)
	t.lines, t.size = t.lines[:0], 0
	return nil
}

// mergeHeap merges sorted runs: each entry is a run's current line.
type mergeHeap []*mergeRun

type mergeRun struct {
	sc   *bufio.Scanner
	line string
}

func (h mergeHeap) Len() int           { return len(h) }
func (h mergeHeap) Less(i, j int) bool { return h[i].line < h[j].line }
func (h mergeHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *mergeHeap) Push(x any)        { *h = append(*h, x.(*mergeRun)) }
func (h *mergeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// sortedLines calls each with the head, then every line in byte order.
func (t *AlignedTable) sortedLines(each func(string)) error {
	if t.head == "" && t.lines == nil && t.runs == nil {
		return nil
	}
	each(t.head)
	if len(t.runs) == 0 {
		slices.Sort(t.lines)
		for _, l := range t.lines {
			each(l)
		}
		return nil
	}
	if len(t.lines) > 0 {
		if err := t.spillRun(); err != nil {
			return err
		}
	}
	defer func() {
		for _, f := range t.runs {
			f.Close()
		}
	}()
	h := mergeHeap{}
	for _, f := range t.runs {
		sc := bufio.NewScanner(bufio.NewReaderSize(f, 32<<10))
		sc.Buffer(make([]byte, 4<<10), 64<<20)
		if sc.Scan() {
			h = append(h, &mergeRun{sc: sc, line: sc.Text()})
		} else if err := sc.Err(); err != nil {
			return err
		}
	}
	heap.Init(&h)
	for h.Len() > 0 {
		r := h[0]
		each(r.line)
		if r.sc.Scan() {
			r.line = r.sc.Text()
			heap.Fix(&h, 0)
		} else {
			if err := r.sc.Err(); err != nil {
				return err
			}
			heap.Pop(&h)
		}
	}
	return nil
}

// Flush writes every line aligned and empties the table.
func (t *AlignedTable) Flush() error {
	if t.err != nil {
		return t.err
	}
	out := bufio.NewWriterSize(t.W, 64<<10)
	var fit *fitLayout
	if t.Width > 0 {
		nat := append(slices.Clone(t.widths), t.last)
		l := layoutColumns(nat, t.Specs, t.Width, TextWidth(t.Indent))
		fit = &l
	}
	var b strings.Builder
	write := func(line string) {
		cells := strings.Split(line, "\t")
		if fit != nil {
			b.Reset()
			cs := make([]Cell, len(cells))
			for i, c := range cells {
				cs[i] = Cell{Text: c}
			}
			fit.render(&b, t.Indent, cs, len(cs), false)
			out.WriteString(b.String())
			return
		}
		out.WriteString(t.Indent)
		for i, c := range cells[:len(cells)-1] {
			out.WriteString(c)
			out.WriteString(strings.Repeat(" ", t.widths[i]+2-TextWidth(c)))
		}
		out.WriteString(cells[len(cells)-1])
		out.WriteByte('\n')
	}
	if t.Sorted {
		if err := t.sortedLines(write); err != nil {
			return err
		}
		t.head, t.lines, t.runs, t.size, t.widths, t.last = "", nil, nil, 0, nil, 0
		return out.Flush()
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
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	for sc.Scan() {
		write(sc.Text())
	}
	if err := sc.Err(); err != nil {
		return err
	}
	t.spool, t.sw, t.mem, t.widths, t.last = nil, nil, bytes.Buffer{}, nil, 0
	return out.Flush()
}
