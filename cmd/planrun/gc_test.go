package main

import (
	"runtime/debug"
	"testing"
)

func TestTuneGCSetsAndRestores(t *testing.T) {
	old := debug.SetGCPercent(150)
	defer debug.SetGCPercent(old)
	restore := tuneGC(func(string) string { return "" })
	if got := debug.SetGCPercent(runGCPercent); got != runGCPercent {
		t.Errorf("during a run: GC percent %d, want %d", got, runGCPercent)
	}
	restore()
	if got := debug.SetGCPercent(150); got != 150 {
		t.Errorf("after a run: GC percent %d, want the previous 150", got)
	}
}

func TestTuneGCLeavesUserGOGC(t *testing.T) {
	old := debug.SetGCPercent(150)
	defer debug.SetGCPercent(old)
	restore := tuneGC(func(k string) string {
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
