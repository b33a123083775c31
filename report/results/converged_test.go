package results

import (
	"strings"
	"testing"
)

// The loop's summary counts the objects of a cancelled or paused batch job apart: they
// are neither succeeded nor failed for good, and a reader must not take the sum for done.
func TestConvergedSaysCancelledObjects(t *testing.T) {
	c := &Converged{MaxAttempts: 3, Attempts: 2, Rounds: 1, Objects: 20, Succeeded: 12, Failed: 3, Other: 5,
		ByCode: map[string]int{"InvalidMediaFile": 3}, Examples: map[string][]string{"InvalidMediaFile": {"in/a.mp4"}}}
	var b strings.Builder
	if err := WriteConverged(&b, c, false, false); err != nil {
		t.Fatal(err)
	}
	want := "Objects after --wait: 20, 12 succeeded, 3 failed for good, 5 cancelled or paused; 2 attempts used of 3 (1 retry round in this run)"
	if !strings.Contains(b.String(), want) {
		t.Errorf("summary:\n%s\nwant the line %q", b.String(), want)
	}
	c.Other = 0
	b.Reset()
	if err := WriteConverged(&b, c, false, false); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "cancelled") {
		t.Errorf("no cancelled objects, yet the summary says:\n%s", b.String())
	}
}
