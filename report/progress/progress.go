package progress

import (
	"fmt"
	"io"
	"maps"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/report/layout"
	"github.com/planrun/planrun/report/safetext"
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
	cols  int        // the columns the live line on screen takes
}

// clearLive returns what erases the live line on screen and puts the cursor at its start.
// A terminal narrowed since the line was drawn may have folded it onto several rows:
// those above are erased too, so a resize leaves no fragments.
func (c *Console) clearLive() string {
	if !c.drawn {
		return "\r\033[K"
	}
	if w := c.Width(); w > 0 && c.cols > w {
		return fmt.Sprintf("\r\033[%dA\033[J", (c.cols-1)/w)
	}
	return "\r\033[K"
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
	fmt.Fprintf(c.w, "%s%s", c.clearLive(), line)
	c.drawn, c.cols = true, layout.TextWidth(line)
}

// Println writes msg on a line of its own: a live line on screen is cleared first (the
// next Draw shows it again, below).
func (c *Console) Println(msg string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.drawn {
		fmt.Fprint(c.w, c.clearLive())
		c.drawn = false
	}
	if w := c.Width(); w > 0 {
		msg = layout.WrapWidth(msg, w-1)
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

// fit cuts s to at most n columns, ending with "…" when cut.
func fit(s string, n int) string {
	if n <= 0 {
		return s
	}
	return layout.ElideEnd(s, n)
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

	// The wait (StartWait .. StopWait): when it started, the last round seen and when.
	waitStart time.Time
	polled    time.Time
	round     *executor.WaitSummary
	stop      chan struct{}
	stopped   chan struct{}
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

// StartWait says that the run now waits for its jobs (msg, on a line of its own) and, on a
// terminal, redraws the wait line every second from then on: the time elapsed and since
// the last poll show that planrun is alive between polls. Call StopWait when the wait ends.
func (p *Progress) StartWait(msg string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.c.Println(msg)
	p.waitStart = time.Now()
	if !p.c.Live() || p.stop != nil {
		return
	}
	p.stop, p.stopped = make(chan struct{}), make(chan struct{})
	go p.tick(p.stop, p.stopped)
}

// tick redraws the wait line every second until stop is closed.
func (p *Progress) tick(stop, stopped chan struct{}) {
	defer close(stopped)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			p.mu.Lock()
			if p.round != nil && p.round.Unfinished > 0 {
				p.c.Draw(waitLine(p.round, time.Since(p.waitStart), time.Since(p.polled), true))
			}
			p.mu.Unlock()
		}
	}
}

// StopWait stops the redraws of StartWait and ends the wait line.
func (p *Progress) StopWait() {
	if p == nil {
		return
	}
	p.mu.Lock()
	stop, stopped := p.stop, p.stopped
	p.stop, p.stopped = nil, nil
	p.mu.Unlock()
	if stop != nil {
		close(stop)
		<-stopped
	}
	p.c.EndLine()
}

// WaitRound is the executor's OnWaitRound callback: on a terminal the wait line redrawn
// after every round; elsewhere one line per polling round that changed something, and
// the last one.
func (p *Progress) WaitRound(ws *executor.WaitSummary) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if p.waitStart.IsZero() {
		p.waitStart = now
	}
	p.polled = now
	p.round = &executor.WaitSummary{States: maps.Clone(ws.States), Unfinished: ws.Unfinished}
	line := WaitLine(ws)
	if line == p.lastWait && ws.Unfinished > 0 && !p.c.Live() {
		return
	}
	p.lastWait = line
	p.c.Draw(waitLine(ws, now.Sub(p.waitStart), 0, p.c.Live()))
	if ws.Unfinished == 0 {
		p.c.EndLine()
	}
}

// waitLine is WaitLine with the time elapsed since the wait started and, when polled,
// since the last poll.
func waitLine(ws *executor.WaitSummary, elapsed, since time.Duration, polled bool) string {
	s := WaitLine(ws) + ", elapsed " + elapsed.Round(time.Second).String()
	if polled {
		s += ", last poll " + since.Round(time.Second).String() + " ago"
	}
	return s
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
		fmt.Fprintf(&b, ", %d %s", ws.States[s], safetext.Line(s))
	}
	return b.String()
}
