package output

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// InterruptGrace is how long, once its context has ended (an interruption), a file written
// in place may still take: a write that a reader has not taken by then fails, so a report
// to a FIFO whose reader stopped reading never keeps planrun from exiting.
var InterruptGrace = 5 * time.Second

// fifoPoll is how often a FIFO without a reader is tried again.
const fifoPoll = 50 * time.Millisecond

// ErrNoReader is matched by the error of a FIFO that had no reader before the context ended.
var ErrNoReader = errors.New("no reader on the FIFO")

// openInPlace opens path (a device, a FIFO or a descriptor) for writing with flag, without
// ever blocking in the open: a FIFO without a reader yet is tried again until one comes or
// ctx ends (then the error matches ErrNoReader and the context's error). Once ctx has
// ended, writes to the file get InterruptGrace to finish. stop ends that watch of ctx.
//
// A descriptor of the process (/dev/stdout, /dev/fd/N) is not opened again but duplicated:
// the copy shares the descriptor's offset, so that what planrun prints there before and
// after lands in order around the output (an open of its own would have its own offset,
// and overwrite, or be overwritten by, what planrun prints to a redirected stdout).
func openInPlace(ctx context.Context, path string, flag int) (*os.File, func() bool, error) {
	if n, ok := descriptor(path); ok {
		f, err := dupFile(n, path)
		if err != nil {
			return nil, nil, err
		}
		stop := context.AfterFunc(ctx, func() { _ = f.SetWriteDeadline(time.Now().Add(InterruptGrace)) })
		return f, stop, nil
	}
	nonblock := 0 // a FIFO only: Go makes what it can poll non-blocking itself
	if info, err := os.Stat(path); err == nil && info.Mode()&fs.ModeNamedPipe != 0 {
		nonblock = openNonblock
	}
	for {
		f, err := os.OpenFile(path, flag|nonblock, 0o644)
		if err == nil {
			stop := context.AfterFunc(ctx, func() { _ = f.SetWriteDeadline(time.Now().Add(InterruptGrace)) })
			return f, stop, nil
		}
		if nonblock == 0 || !noReader(err) {
			return nil, nil, err
		}
		t := time.NewTimer(fifoPoll)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, nil, fmt.Errorf("%w (%w)", ErrNoReader, context.Cause(ctx))
		case <-t.C:
		}
	}
}
