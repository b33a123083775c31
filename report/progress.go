package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/planrun/planrun/executor"
)

// Console is stderr as a run shares it: a live line redrawn in place on a terminal, and
// whole-line messages (a warning, "interrupted") that never land on the live line. It is
// safe for concurrent use.
type Console struct {
	mu    sync.Mutex
	w     io.Writer
	live  bool       // a terminal: the progress line is redrawn in place
	width func() int // the terminal's columns; nil or <= 0: unknown
	drawn bool       // a live line is on screen, without its line break
}

// NewConsole returns the console of w; live says that w is a terminal, whose width (in
// columns) width reports (nil when unknown).
func NewConsole(w io.Writer, live bool, width func() int) *Console {
	return &Console{w: w, live: live, width: width}
}

// Live reports whether the console redraws a live line (stderr is a terminal).
func (c *Console) Live() bool { return c != nil && c.live }

// Width is the terminal's width in columns, 0 when unknown or not a terminal.
func (c *Console) Width() int {
	if c == nil || !c.live || c.width == nil {
		return 0
	}
	return max(c.width(), 0)
}

// Draw shows line: in place of the live line on a terminal (cut to the width), else as a
// line of its own.
func (c *Console) Draw(line string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live {
		fmt.Fprintln(c.w, line)
		return
	}
	if w := c.Width(); w > 0 {
		line = fit(line, w-1) // the last column would wrap on some terminals
	}
	fmt.Fprintf(c.w, "\r\033[K%s", line)
	c.drawn = true
}

// Println writes msg on a line of its own: a live line on screen is cleared first (the
// next Draw shows it again, below).
func (c *Console) Println(msg string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.drawn {
		fmt.Fprint(c.w, "\r\033[K")
		c.drawn = false
	}
	fmt.Fprintln(c.w, msg)
}

// EndLine keeps the live line on screen and moves to a fresh line.
func (c *Console) EndLine() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.drawn {
		fmt.Fprintln(c.w)
		c.drawn = false
	}
}

// fit cuts s to at most n runes, ending with "…" when cut.
func fit(s string, n int) string {
	if n <= 0 || utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// Progress shows a run's progress on a Console: a live line redrawn in place on a
// terminal, fitted to its width, and a plain line every few seconds otherwise (CI logs).
// A nil *Progress shows nothing (--quiet).
type Progress struct {
	c        *Console
	every    time.Duration
	inFlight func() int // calls on the wire now; nil: use the executor's count
	limit    float64    // the --qps limit; 0: none

	mu       sync.Mutex
	last     time.Time
	lastWait string
}

// NewProgress returns a Progress on c. inFlight (may be nil) counts the API calls actually
// sent and not yet answered (not those waiting for the rate limiter); limit is the rate
// limit in requests per second, shown beside the rate (0: unlimited).
func NewProgress(c *Console, inFlight func() int, limit float64) *Progress {
	p := &Progress{c: c, every: 5 * time.Second, inFlight: inFlight, limit: limit}
	if c.Live() {
		p.every = 200 * time.Millisecond
	}
	return p
}

// Update is the executor's Progress callback.
func (p *Progress) Update(pr executor.Progress) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	final := pr.Done == pr.Planned && pr.InFlight == 0
	if !final && time.Since(p.last) < p.every {
		return
	}
	p.last = time.Now()
	if p.inFlight != nil {
		pr.InFlight = p.inFlight()
	}
	width := 0
	if p.c.Live() {
		width = p.c.Width() - 1
	}
	p.c.Draw(ProgressLine(pr, p.limit, width))
}

// Done ends the live line so that what follows starts on a fresh line.
func (p *Progress) Done() {
	if p == nil {
		return
	}
	p.c.EndLine()
}

// segment is one part of the progress line; the lower its rank, the sooner it is dropped
// when the line does not fit.
type segment struct {
	text string
	rank int
}

// ProgressLine renders pr, with the rate limit limit (0: none), in at most width columns
// (0: any): fields are dropped, least useful first, until the line fits.
func ProgressLine(pr executor.Progress, limit float64, width int) string {
	pct := 100.0
	if pr.Planned > 0 {
		pct = 100 * float64(pr.Done) / float64(pr.Planned)
	}
	head := fmt.Sprintf("%d/%d (%.0f%%) done", pr.Done, pr.Planned, pct)
	segs := []segment{
		{fmt.Sprintf("%d triggered", pr.Triggered), 7},
		{fmt.Sprintf("%d skipped", pr.Skipped), 5},
		{fmt.Sprintf("%d failed", pr.Failed), 8},
	}
	if pr.InFlight > 0 {
		segs = append(segs, segment{fmt.Sprintf("%d in flight", pr.InFlight), 3})
	}
	if pr.Rate > 0 {
		segs = append(segs, segment{fmt.Sprintf("%.1f/s", pr.Rate), 2})
	}
	if pr.QPS > 0 { // --qps auto: the pace it found
		segs = append(segs, segment{fmt.Sprintf("pace %.1f/s", pr.QPS), 2})
	}
	if limit > 0 {
		segs = append(segs, segment{fmt.Sprintf("limit %s/s", trimFloat(limit)), 1})
	}
	if pr.ETA > 0 {
		segs = append(segs, segment{"ETA " + pr.ETA.Round(time.Second).String(), 6})
	}
	segs = append(segs, segment{"elapsed " + pr.Elapsed.Round(time.Second).String(), 0})
	tail, short := "", ""
	switch {
	case pr.Settling > 0 && pr.Unsettled > 0:
		tail = fmt.Sprintf(" (waiting %s for %d uncertain creates to settle)", pr.Settling.Round(time.Second), pr.Unsettled)
		short = fmt.Sprintf(" (%d settling %s)", pr.Unsettled, pr.Settling.Round(time.Second))
	case pr.Settling > 0:
		tail = fmt.Sprintf(" (waiting %s for creates of an earlier run to settle)", pr.Settling.Round(time.Second))
		short = fmt.Sprintf(" (settling %s)", pr.Settling.Round(time.Second))
	case pr.Unsettled > 0:
		tail = fmt.Sprintf(" (%d uncertain creates set aside to settle)", pr.Unsettled)
		short = fmt.Sprintf(" (%d settling)", pr.Unsettled)
	}
	render := func() string {
		var b strings.Builder
		b.WriteString(head)
		for i, s := range segs {
			if i == 0 {
				b.WriteString(": ")
			} else {
				b.WriteString(", ")
			}
			b.WriteString(s.text)
		}
		return b.String() + tail
	}
	line := render()
	if width <= 0 {
		return line
	}
	if utf8.RuneCountInString(line) > width && tail != "" {
		tail = short
		line = render()
	}
	for utf8.RuneCountInString(line) > width && len(segs) > 0 {
		low := 0
		for i, s := range segs {
			if s.rank < segs[low].rank {
				low = i
			}
		}
		segs = append(segs[:low], segs[low+1:]...)
		line = render()
	}
	return fit(line, width)
}

// trimFloat renders f without trailing zeros: 10, 2.5.
func trimFloat(f float64) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", f), "0"), ".")
}

// WaitRound is the executor's OnWaitRound callback: one line per polling round that
// changed something, and the last one.
func (p *Progress) WaitRound(ws *executor.WaitSummary) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	line := WaitLine(ws)
	if line == p.lastWait && ws.Unfinished > 0 {
		return
	}
	p.lastWait = line
	p.c.Draw(line)
	if ws.Unfinished == 0 {
		p.c.EndLine()
	}
}

// WaitLine renders the jobs' states during --wait.
func WaitLine(ws *executor.WaitSummary) string {
	total := 0
	for _, n := range ws.States {
		total += n
	}
	states := make([]string, 0, len(ws.States))
	for s := range ws.States {
		states = append(states, s)
	}
	sort.Strings(states)
	var b strings.Builder
	fmt.Fprintf(&b, "waiting: %d/%d jobs finished", total-ws.Unfinished, total)
	for _, s := range states {
		fmt.Fprintf(&b, ", %d %s", ws.States[s], clean(s))
	}
	return b.String()
}
