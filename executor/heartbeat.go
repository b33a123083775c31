package executor

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// heartbeatEvery is how often a run that sends creates records that it is alive.
const heartbeatEvery = 250 * time.Millisecond

// heartbeat records, in the file <state>.heartbeat, that a run is alive and sending, with
// its request timeout. A run killed mid-send leaves the time of its last beat: every create
// it had in flight left before that beat plus heartbeatEvery, so the next run knows how long
// to let them settle (see settleWait), however long after its intent a create went out.
type heartbeat struct {
	path    string
	timeout time.Duration
	now     func() time.Time
	stopc   chan struct{}
	wg      sync.WaitGroup
}

// startHeartbeat beats at once and then every heartbeatEvery until stop. A store without a
// path gets no heartbeat.
func startHeartbeat(statePath string, timeout time.Duration, now func() time.Time) *heartbeat {
	if statePath == "" {
		return &heartbeat{}
	}
	h := &heartbeat{path: statePath + ".heartbeat", timeout: timeout, now: now, stopc: make(chan struct{})}
	h.beat()
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		t := time.NewTicker(heartbeatEvery)
		defer t.Stop()
		for {
			select {
			case <-h.stopc:
				return
			case <-t.C:
				h.beat()
			}
		}
	}()
	return h
}

// beat writes the current time and the timeout, atomically (temporary file, rename).
func (h *heartbeat) beat() {
	line := fmt.Sprintf("%d %d\n", h.now().UnixNano(), int64(h.timeout))
	tmp := h.path + ".tmp"
	if err := os.WriteFile(tmp, []byte(line), 0o644); err == nil {
		_ = os.Rename(tmp, h.path)
	}
}

// stop ends the beats with a last one.
func (h *heartbeat) stop() {
	if h.stopc == nil {
		return
	}
	close(h.stopc)
	h.wg.Wait()
	h.beat()
}

// lastBeat reads the last heartbeat of a run on statePath: when it beat and its request
// timeout; ok is false when there is none (or it cannot be read).
func lastBeat(statePath string) (at time.Time, timeout time.Duration, ok bool) {
	if statePath == "" {
		return time.Time{}, 0, false
	}
	b, err := os.ReadFile(statePath + ".heartbeat")
	if err != nil {
		return time.Time{}, 0, false
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return time.Time{}, 0, false
	}
	ns, err1 := strconv.ParseInt(f[0], 10, 64)
	to, err2 := strconv.ParseInt(f[1], 10, 64)
	if err1 != nil || err2 != nil || to < 0 {
		return time.Time{}, 0, false
	}
	return time.Unix(0, ns), time.Duration(to), true
}
