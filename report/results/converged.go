package results

import (
	"fmt"
	"io"
	"strings"

	"github.com/planrun/planrun/report/layout"
	"github.com/planrun/planrun/report/safetext"
)

// Converged is what run --wait ends with about objects: with --max-attempts N above 1,
// after its loop of retries; with N = 1, after one read of the results.
type Converged struct {
	// MaxAttempts is N; Rounds how many retry rounds this run sent; Attempts the most
	// attempts an object was given (by this run or an earlier command).
	MaxAttempts, Rounds, Attempts int
	// Objects, Succeeded, Failed and Running count the objects at their latest attempt;
	// Failed are the ones failed for good (no attempt left, or left alone).
	Objects, Succeeded, Failed, Running int
	// Other counts the objects whose latest batch job was cancelled or paused: neither
	// processed nor retried by the loop (a cancel of the service's is re-run with its
	// batch job; the user's stands).
	Other int
	// ByCode counts the failed objects per code; Examples names a few of each code.
	ByCode   map[string]int
	Examples map[string][]string
	// Next is the command that retries the failed objects ("" none): said when the run
	// had one attempt and some objects failed.
	Next string
}

// WriteConverged writes the object summary of run --wait: "Objects: 412, 400 succeeded,
// 12 failed for good after 3 attempts (2 retry rounds)", then each failure code with
// its count and examples, then the next command when there is one. With totals (the
// line of --results was written), a run of one attempt only adds the next command.
func WriteConverged(w io.Writer, c *Converged, totals bool, color bool) error {
	var b strings.Builder
	if c.MaxAttempts > 1 || !totals {
		failed := fmt.Sprintf("%d failed", c.Failed)
		if c.MaxAttempts > 1 {
			failed += " for good"
		}
		if c.Failed > 0 {
			failed = layout.Paint(failed, layout.ANSIRed, color)
		}
		fmt.Fprintf(&b, "\nObjects after --wait: %d, %d succeeded, %s", c.Objects, c.Succeeded, failed)
		if c.Running > 0 {
			fmt.Fprintf(&b, ", %d running", c.Running)
		}
		if c.Other > 0 {
			fmt.Fprintf(&b, ", %d cancelled or paused", c.Other)
		}
		if c.MaxAttempts > 1 {
			fmt.Fprintf(&b, "; %s used of %d (%d retry %s in this run)", plural(c.Attempts, "attempt"), c.MaxAttempts,
				c.Rounds, map[bool]string{true: "round", false: "rounds"}[c.Rounds == 1])
		}
		b.WriteString("\n")
		for _, code := range codesByCount(c.ByCode) {
			fmt.Fprintf(&b, "  %s %d", safetext.Line(code), c.ByCode[code])
			if ex := c.Examples[code]; len(ex) > 0 {
				for i := range ex {
					ex[i] = safetext.Line(ex[i])
				}
				fmt.Fprintf(&b, ": %s", strings.Join(ex, ", "))
				if c.ByCode[code] > len(ex) {
					b.WriteString(", ...")
				}
			}
			b.WriteString("\n")
		}
	}
	if c.Next != "" && c.Failed > 0 {
		fmt.Fprintf(&b, "%d objects failed; to trigger them again: %s\n", c.Failed, c.Next)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// plural is "1 attempt" or "n attempts".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
