package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"time"
)

// procResult is how one child process went.
type procResult struct {
	Wall   time.Duration
	MaxRSS int64         // peak resident set size in bytes; 0 when the OS does not say
	CPU    time.Duration // user + system CPU time of the child
	Stdout []byte
}

// runProc runs name with args and env (added to the bench's environment), measuring the
// wall time and the child's peak RSS (through a launcher on Linux: see rssLauncherArg; the
// CPU time then includes the launcher's few milliseconds). Stdout is kept unless discard is set (then it goes
// to the null device, as `> /dev/null` would). A non-zero exit is an error that carries
// the end of stderr.
func runProc(ctx context.Context, dir string, env []string, discard bool, name string, args ...string) (procResult, error) {
	name, args, rssFile := launched(name, args, "")
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(benchEnv(), env...)
	if rssFile != "" {
		cmd.Env = append(cmd.Env, envRSSFile+"="+rssFile)
	}
	var out, errb bytes.Buffer
	if !discard {
		cmd.Stdout = &out
	}
	cmd.Stderr = &tailWriter{buf: &errb, max: 4096}
	start := time.Now()
	err := cmd.Run()
	res := procResult{Wall: time.Since(start), Stdout: out.Bytes()}
	if cmd.ProcessState != nil {
		res.MaxRSS = maxRSS(cmd.ProcessState.SysUsage())
		if n := readRSS(rssFile); n > 0 {
			res.MaxRSS = n // the command's own, not the launcher's (see rssLauncherArg)
		}
		res.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	if err != nil {
		return res, fmt.Errorf("%s %v: %w: %s", name, args, err, errb.String())
	}
	return res, nil
}

// tailWriter keeps the last max bytes written to it.
type tailWriter struct {
	buf *bytes.Buffer
	max int
}

func (t *tailWriter) Write(p []byte) (int, error) {
	t.buf.Write(p)
	if over := t.buf.Len() - t.max; over > 0 {
		t.buf.Next(over)
	}
	return len(p), nil
}

var _ io.Writer = (*tailWriter)(nil)
