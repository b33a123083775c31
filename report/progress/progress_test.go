package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/planrun/planrun/executor"
	_ "github.com/planrun/planrun/internal/testflag" // accepts -update
)

func busyProgress() executor.Progress {
	return executor.Progress{Planned: 123456, Done: 61234, Skipped: 1000, Triggered: 60000, Failed: 234,
		InFlight: 16, Rate: 48.25, ETA: 21*time.Minute + 30*time.Second, Elapsed: 21*time.Minute + 9*time.Second,
		Settling: 0}
}

func TestProgressLineFitsTheWidth(t *testing.T) {
	pr := busyProgress()
	full := ProgressLine(pr, 50, 0)
	for _, want := range []string{"61234/123456 (50%) done", "60000 triggered", "1000 skipped", "234 failed",
		"16 in flight", "48.2/s", "limit 50/s", "ETA 21m30s", "elapsed 21m9s"} {
		if !strings.Contains(full, want) {
			t.Errorf("full line %q lacks %q", full, want)
		}
	}
	for _, w := range []int{200, 79, 60, 45, 30, 10} {
		line := ProgressLine(pr, 50, w)
		if n := utf8.RuneCountInString(line); n > w {
			t.Errorf("width %d: %d runes: %q", w, n, line)
		}
		if w >= 45 && !strings.Contains(line, "61234/123456 (50%) done") {
			t.Errorf("width %d: the count was dropped: %q", w, line)
		}
		if w >= 60 && !strings.Contains(line, "234 failed") {
			t.Errorf("width %d: failures dropped before less useful fields: %q", w, line)
		}
	}
	pr.Settling = 42 * time.Second
	if line := ProgressLine(pr, 0, 79); !strings.Contains(line, "settling 42s") || utf8.RuneCountInString(line) > 79 {
		t.Errorf("settling on 80 columns: %q", line)
	}
	pr.Unsettled = 3
	if line := ProgressLine(pr, 0, 0); !strings.Contains(line, "waiting 42s for 3 uncertain creates to settle") {
		t.Errorf("settling creates of this run: %q", line)
	}
	if line := ProgressLine(pr, 0, 79); !strings.Contains(line, "3 settling 42s") || utf8.RuneCountInString(line) > 79 {
		t.Errorf("settling creates of this run on 80 columns: %q", line)
	}
}

func TestConsoleMessageNeverSharesTheLiveLine(t *testing.T) {
	var b bytes.Buffer
	c := NewConsole(&b, true, func() int { return 80 })
	p := NewProgress(c, func() int { return 3 }, 10)
	p.Update(busyProgress())
	c.Println("planrun: interrupted: stopping cleanly")
	p.last = time.Time{}
	p.Update(busyProgress())
	p.Done()
	for _, line := range strings.Split(b.String(), "\n") {
		if i := strings.Index(line, "interrupted"); i >= 0 {
			// What is left visible on this line is what follows the last clear.
			visible := line[strings.LastIndex(line, "\r\033[K")+len("\r\033[K"):]
			if visible != "planrun: interrupted: stopping cleanly" {
				t.Errorf("the message shares its line: %q", visible)
			}
		}
	}
	if !strings.HasSuffix(b.String(), "\n") {
		t.Errorf("output: %q", b.String())
	}
	for _, line := range strings.Split(b.String(), "\r\033[K") {
		if n := utf8.RuneCountInString(strings.TrimSuffix(line, "\n")); n > 79 {
			t.Errorf("a drawn line of %d columns on an 80-column terminal: %q", n, line)
		}
	}
}

func TestProgressShowsCallsOnTheWireAndTheLimitApart(t *testing.T) {
	var b bytes.Buffer
	p := NewProgress(NewConsole(&b, false, nil), func() int { return 3 }, 10)
	pr := busyProgress() // the executor counts 16 requests being worked on
	p.Update(pr)
	if !strings.Contains(b.String(), "3 in flight") || strings.Contains(b.String(), "16 in flight") ||
		!strings.Contains(b.String(), "limit 10/s") {
		t.Errorf("line: %q", b.String())
	}
}
