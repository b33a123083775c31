package grid

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// findChromium returns the path of a Chromium to test the page in. Without one the test is
// skipped, except under CI=true, where a missing browser is a failure.
func findChromium(t testing.TB) string {
	t.Helper()
	candidates := []string{os.Getenv("PLANRUN_CHROMIUM"), "chromium", "/usr/bin/chromium", "chromium-browser", "google-chrome"}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	msg := "no Chromium found (chromium on PATH, /usr/bin/chromium or $PLANRUN_CHROMIUM): the page is not tested in a browser; install it with `apt-get install chromium`"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (CI=true: CI must have a browser)")
	}
	t.Skip(msg)
	return ""
}

// browser is a headless Chromium driven over the DevTools protocol on a pipe
// (--remote-debugging-pipe: commands on its fd 3, answers on its fd 4, each message JSON
// ended by a NUL byte), so no port is opened and no WebSocket is needed.
type browser struct {
	t       testing.TB
	cmd     *exec.Cmd
	out     *os.File // our end of the browser's fd 3
	msgs    chan cdpMessage
	session string
	next    int

	mu     sync.Mutex
	events []cdpMessage
}

type cdpMessage struct {
	ID        int             `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    any             `json:"params,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
	RawParams json.RawMessage `json:"-"`
}

// startBrowser starts Chromium with a fresh profile, opens a blank page of 1400×900 and
// attaches to it with the Page, Runtime and Network domains enabled.
func startBrowser(t testing.TB) *browser {
	t.Helper()
	path := findChromium(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmdR, cmdW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	resR, resW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, path, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-extensions", "--hide-scrollbars", "--user-data-dir="+t.TempDir(), "--remote-debugging-pipe",
		"--window-size=1400,900", "about:blank")
	cmd.ExtraFiles = []*os.File{cmdR, resW}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start %s: %v", path, err)
	}
	cmdR.Close()
	resW.Close()
	b := &browser{t: t, cmd: cmd, out: cmdW, msgs: make(chan cdpMessage, 64)}
	go func() {
		defer close(b.msgs)
		rd := bufio.NewReader(resR)
		for {
			raw, err := rd.ReadBytes(0)
			if err != nil {
				return
			}
			var m cdpMessage
			var withParams struct {
				Params json.RawMessage `json:"params"`
			}
			raw = raw[:len(raw)-1]
			if json.Unmarshal(raw, &m) != nil || json.Unmarshal(raw, &withParams) != nil {
				continue
			}
			m.RawParams = withParams.Params
			b.msgs <- m
		}
	}()
	t.Cleanup(func() {
		cmdW.Close()
		cancel()
		_ = cmd.Wait()
		resR.Close()
		if t.Failed() {
			t.Logf("chromium stderr:\n%s", stderr.String())
		}
	})
	var target struct {
		TargetID string `json:"targetId"`
	}
	b.callIn("", "Target.createTarget", map[string]any{"url": "about:blank"}, &target)
	var attached struct {
		SessionID string `json:"sessionId"`
	}
	b.callIn("", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached)
	b.session = attached.SessionID
	b.call("Emulation.setDeviceMetricsOverride", map[string]any{"width": 1400, "height": 900, "deviceScaleFactor": 1, "mobile": false}, nil)
	for _, domain := range []string{"Page", "Runtime", "Network"} {
		b.call(domain+".enable", map[string]any{}, nil)
	}
	return b
}

// call sends a command to the page's session and decodes its result into out.
func (b *browser) call(method string, params any, out any) {
	b.t.Helper()
	b.callIn(b.session, method, params, out)
}

// callIn sends a command (to a session, or to the browser when session is empty) and waits
// at most a minute for its answer, keeping the events that come meanwhile.
func (b *browser) callIn(session, method string, params any, out any) {
	b.t.Helper()
	b.next++
	id := b.next
	msg, err := json.Marshal(cdpMessage{ID: id, Method: method, Params: params, SessionID: session})
	if err != nil {
		b.t.Fatal(err)
	}
	if _, err := b.out.Write(append(msg, 0)); err != nil {
		b.t.Fatalf("%s: %v", method, err)
	}
	timeout := time.After(time.Minute) // a guard against a hung browser, not a measurement
	for {
		select {
		case m, ok := <-b.msgs:
			if !ok {
				b.t.Fatalf("%s: the browser went away", method)
			}
			if m.ID != id {
				if m.Method != "" {
					b.mu.Lock()
					b.events = append(b.events, m)
					b.mu.Unlock()
				}
				continue
			}
			if m.Error != nil {
				b.t.Fatalf("%s: %s", method, m.Error.Message)
			}
			if out != nil {
				if err := json.Unmarshal(m.Result, out); err != nil {
					b.t.Fatalf("%s: %v", method, err)
				}
			}
			return
		case <-timeout:
			b.t.Fatalf("%s: no answer from the browser in a minute", method)
		}
	}
}

// waitEvent waits at most a minute for an event of the page's session.
func (b *browser) waitEvent(method string) cdpMessage {
	b.t.Helper()
	seen := func() (cdpMessage, bool) {
		b.mu.Lock()
		defer b.mu.Unlock()
		for i, m := range b.events {
			if m.Method == method {
				b.events = append(b.events[:i:i], b.events[i+1:]...)
				return m, true
			}
		}
		return cdpMessage{}, false
	}
	timeout := time.After(time.Minute)
	for {
		if m, ok := seen(); ok {
			return m
		}
		select {
		case m, ok := <-b.msgs:
			if !ok {
				b.t.Fatalf("waiting for %s: the browser went away", method)
			}
			b.mu.Lock()
			b.events = append(b.events, m)
			b.mu.Unlock()
		case <-timeout:
			b.t.Fatalf("no %s from the browser in a minute", method)
		}
	}
}

// open navigates to a file and waits for its load event.
func (b *browser) open(path string) {
	b.t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		b.t.Fatal(err)
	}
	b.call("Page.navigate", map[string]any{"url": "file://" + abs}, nil)
	b.waitEvent("Page.loadEventFired")
}

// eval evaluates a JavaScript expression in the page and decodes its JSON value into out.
func (b *browser) eval(expr string, out any) {
	b.t.Helper()
	var res struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	b.call("Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true}, &res)
	if res.ExceptionDetails != nil {
		b.t.Fatalf("evaluate %s: %s %s", expr, res.ExceptionDetails.Text, res.ExceptionDetails.Exception.Description)
	}
	if out != nil {
		if err := json.Unmarshal(res.Result.Value, out); err != nil {
			b.t.Fatalf("evaluate %s: %v (value %s)", expr, err, res.Result.Value)
		}
	}
}

// hover moves the mouse to a point of the viewport.
func (b *browser) hover(x, y float64) {
	b.t.Helper()
	b.call("Input.dispatchMouseEvent", map[string]any{"type": "mouseMoved", "x": x, "y": y}, nil)
}

// screenshot returns a PNG of the viewport.
func (b *browser) screenshot() []byte {
	b.t.Helper()
	var res struct {
		Data string `json:"data"`
	}
	b.call("Page.captureScreenshot", map[string]any{"format": "png"}, &res)
	png, err := base64.StdEncoding.DecodeString(res.Data)
	if err != nil {
		b.t.Fatal(err)
	}
	return png
}

// requests lists the URLs the page asked for, other than file: and data: URLs.
func (b *browser) requests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var urls []string
	for _, m := range b.events {
		if m.Method != "Network.requestWillBeSent" {
			continue
		}
		var p struct {
			Request struct {
				URL string `json:"url"`
			} `json:"request"`
		}
		if json.Unmarshal(m.RawParams, &p) == nil && !strings.HasPrefix(p.Request.URL, "file:") &&
			!strings.HasPrefix(p.Request.URL, "data:") {
			urls = append(urls, p.Request.URL)
		}
	}
	return urls
}

// writeFile writes data to dir/name and returns the path.
func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(fmt.Errorf("write %s: %w", path, err))
	}
	return path
}
