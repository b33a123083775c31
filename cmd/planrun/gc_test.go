package main

import (
	"math"
	"runtime/debug"
	"testing"

	"github.com/planrun/planrun/session"
)

func TestTuneGCSetsAndRestores(t *testing.T) {
	old := debug.SetGCPercent(150)
	defer debug.SetGCPercent(old)
	restore := session.TuneGC(func(string) string { return "" })
	if got := debug.SetGCPercent(session.RunGCPercent); got != session.RunGCPercent {
		t.Errorf("during a run: GC percent %d, want %d", got, session.RunGCPercent)
	}
	restore()
	if got := debug.SetGCPercent(150); got != 150 {
		t.Errorf("after a run: GC percent %d, want the previous 150", got)
	}
}

func TestTuneGCLeavesUserGOGC(t *testing.T) {
	old := debug.SetGCPercent(150)
	defer debug.SetGCPercent(old)
	restore := session.TuneGC(func(k string) string {
		if k == "GOGC" {
			return "150"
		}
		return ""
	})
	defer restore()
	if got := debug.SetGCPercent(150); got != 150 {
		t.Errorf("with GOGC set: GC percent %d, want the user's 150", got)
	}
}

// TestTuneGCBoundsTheHeapSoftly: at 5 times the live heap, a run whose calls hold the
// whole response-read budget (a server answering huge bodies) would reach 5 times that
// budget; a soft memory limit makes the collector work harder there instead.
func TestTuneGCBoundsTheHeapSoftly(t *testing.T) {
	oldPercent := debug.SetGCPercent(100)
	defer debug.SetGCPercent(oldPercent)
	oldLimit := debug.SetMemoryLimit(math.MaxInt64)
	defer debug.SetMemoryLimit(oldLimit)
	restore := session.TuneGC(func(string) string { return "" })
	if got := debug.SetMemoryLimit(-1); got != session.RunMemoryLimit {
		t.Errorf("during a run: memory limit %d, want %d", got, session.RunMemoryLimit)
	}
	restore()
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("after a run: memory limit %d, want the previous (none)", got)
	}
}
