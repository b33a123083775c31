package main

import (
	"context"
	"io"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/planrun/planrun/internal/testenv"
)

// TestEmulatorVerboseLogCleansClientStrings sends `planrun emulator --verbose` requests
// whose paths carry ANSI escapes, C1 and bidirectional controls, a line break that starts a
// workflow command, the older commands and invalid UTF-8, and checks that its log is one
// clean line per request: nothing a terminal or a CI runner would act on.
func TestEmulatorVerboseLogCleansClientStrings(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var stderr testenv.Buffer
	e := &env{stdout: io.Discard, stderr: &stderr, getenv: func(string) string { return "" }}
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"emulator", "--addr", "127.0.0.1:0", "--verbose"}, e) }()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("the emulator did not stop")
		}
	}()
	listening := regexp.MustCompile(`listening on http://(127\.0\.0\.1:\d+)`)
	var addr string
	for deadline := time.Now().Add(10 * time.Second); addr == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := listening.FindStringSubmatch(stderr.String()); m != nil {
			addr = m[1]
		}
	}
	if addr == "" {
		t.Fatalf("the emulator did not say where it listens:\n%s", stderr.String())
	}
	paths := []string{
		"/inventorytriggerjob/%1b[31mred%1b[0m",
		"/inventorytriggerjob/a%c2%9b31mb",
		"/inventorytriggerjob/evil%e2%80%aegnp",
		"/inventorytriggerjob/x%0a::error::pwned",
		"/inventorytriggerjob/x%0d%0a%23%23[error]pwned",
		"/inventorytriggerjob/x%23%23vso[task.setvariable%20variable=a]1",
		"/inventorytriggerjob/bad%ff%fe%07%7f",
		"/jobs/%23%23[group]x",
	}
	before := strings.Count(stderr.String(), "\n")
	for _, p := range paths {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		// Written raw: a client library would escape or refuse some of these.
		_, _ = io.WriteString(c, "GET "+p+" HTTP/1.1\r\nHost: examplebucket-1250000000.ci.ap-beijing.myqcloud.com\r\nConnection: close\r\n\r\n")
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.ReadAll(c); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		c.Close()
	}
	var log string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if log = stderr.String(); strings.Count(log, "\n")-before >= len(paths) {
			break
		}
	}
	lines := strings.Split(strings.TrimSuffix(log, "\n"), "\n")[before:]
	if len(lines) != len(paths) {
		t.Fatalf("%d log lines for %d requests:\n%s", len(lines), len(paths), log)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "time=") || !strings.Contains(l, `msg="emulator request"`) {
			t.Errorf("not a request record: %q", l)
		}
		if strings.Contains(l, "##[") || strings.Contains(strings.ToLower(l), "##vso[") {
			t.Errorf("workflow command left whole: %q", l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("invalid UTF-8 written: %q", l)
		}
		for _, r := range l {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == 0x202e {
				t.Errorf("raw %U written: %q", r, l)
			}
		}
	}
	if !strings.Contains(log, `\x1b[31mred`) {
		t.Errorf("the escape is not shown escaped:\n%s", log)
	}
}
