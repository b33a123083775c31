package session

import (
	"fmt"
	"sync"
	"time"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/report/progress"
)

// readProgress shows, on a terminal, a live line while the results are read: msg, the
// calls sent so far and the time elapsed, redrawn every second (reading the results of a
// few hundred requests takes a minute). Off a terminal, or when quiet, it shows nothing.
// The returned stop ends the line; calling it again does nothing.
func readProgress(cons *progress.Console, calls *executor.Counted, msg string, quiet bool) (stop func()) {
	if quiet || !cons.Live() || calls == nil {
		return func() {}
	}
	start := time.Now()
	draw := func() {
		cons.Draw(fmt.Sprintf("%s: %d calls, elapsed %s", msg, calls.Sent(), time.Since(start).Round(time.Second)))
	}
	draw()
	done, ended := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(ended)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				draw()
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(done)
			<-ended
			draw()
			cons.EndLine()
		})
	}
}
