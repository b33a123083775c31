package state

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// HeartbeatEvery is how often a run that sends creates records that it is alive.
const HeartbeatEvery = 250 * time.Millisecond

// Heartbeat records, in the file <state>.heartbeat, that a run is alive and sending, with
// its request timeout. A run killed mid-send leaves the time of its last beat: every create
// it had in flight left before that beat plus HeartbeatEvery, so the next run knows how long
// to let them settle (see LastBeat), however long after its intent a create went out.
type Heartbeat struct {
	path    string
	timeout time.Duration
	now     func() time.Time
	stopc   chan struct{}
	wg      sync.WaitGroup
}

// StartHeartbeat beats at once and then every HeartbeatEvery until stop. A store without a
// path gets no heartbeat.
func StartHeartbeat(statePath string, timeout time.Duration, now func() time.Time) *Heartbeat {
	if statePath == "" {
		return &Heartbeat{}
	}
	h := &Heartbeat{path: statePath + ".heartbeat", timeout: timeout, now: now, stopc: make(chan struct{})}
	h.beat()
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		t := time.NewTicker(HeartbeatEvery)
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

// beat writes the current time and the timeout, atomically: into a new temporary file
// (created exclusively, so a link planted beside the state is never written through), then
// renamed over the heartbeat file (which replaces a link there, not its target).
func (h *Heartbeat) beat() {
	line := fmt.Sprintf("%d %d\n", h.now().UnixNano(), int64(h.timeout))
	f, err := os.CreateTemp(filepath.Dir(h.path), filepath.Base(h.path)+".tmp-*")
	if err != nil {
		return
	}
	_, werr := f.WriteString(line)
	if cerr := f.Close(); werr == nil && cerr == nil {
		if os.Rename(f.Name(), h.path) == nil {
			return
		}
	}
	os.Remove(f.Name())
}

// Stop ends the beats with a last one.
func (h *Heartbeat) Stop() {
	if h.stopc == nil {
		return
	}
	close(h.stopc)
	h.wg.Wait()
	h.beat()
}

// LastBeat reads the last heartbeat of a run on statePath: when it beat and its request
// timeout; ok is false when there is none (or it cannot be read).
func LastBeat(statePath string) (at time.Time, timeout time.Duration, ok bool) {
	if statePath == "" {
		return time.Time{}, 0, false
	}
	f, err := openCompanion(statePath+".heartbeat", os.O_RDONLY)
	if err != nil {
		return time.Time{}, 0, false
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 64))
	if err != nil {
		return time.Time{}, 0, false
	}
	fields := strings.Fields(string(b))
	if len(fields) != 2 {
		return time.Time{}, 0, false
	}
	ns, err1 := strconv.ParseInt(fields[0], 10, 64)
	to, err2 := strconv.ParseInt(fields[1], 10, 64)
	if err1 != nil || err2 != nil || to < 0 {
		return time.Time{}, 0, false
	}
	return time.Unix(0, ns), time.Duration(to), true
}
