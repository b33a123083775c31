package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
)

// emuProc is `planrun emulator` running as a separate process on a loopback port.
type emuProc struct {
	cmd  *exec.Cmd
	Addr string // 127.0.0.1:port
	URL  string // http://127.0.0.1:port
}

// startEmulator starts `bin emulator` with extra flags on a free loopback port and waits
// until it answers.
func startEmulator(ctx context.Context, bin string, extra ...string) (*emuProc, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	args := append([]string{"emulator", "--addr", addr}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Env = benchEnv() // the emulator's default key pair
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start emulator: %w", err)
	}
	e := &emuProc{cmd: cmd, Addr: addr, URL: "http://" + addr}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := e.stats(ctx); err == nil {
			return e, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			e.stop()
			return nil, errors.New("start emulator: it did not answer within 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stats fetches GET /_emulator/stats.
func (e *emuProc) stats(ctx context.Context) (*emulator.Stats, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.URL+"/_emulator/stats", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("emulator stats: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("emulator stats: status %s", resp.Status)
	}
	var st emulator.Stats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return nil, fmt.Errorf("emulator stats: %w", err)
	}
	return &st, nil
}

// stop interrupts the emulator (the process the bench started, by its pid) and waits.
func (e *emuProc) stop() {
	if e.cmd.Process == nil {
		return
	}
	_ = e.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = e.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = e.cmd.Process.Signal(syscall.SIGKILL)
		<-done
	}
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// benchEnv is the environment given to planrun children: the emulator's documented
// default key pair (it only opens the local emulator), nothing else.
func benchEnv() []string {
	return append(os.Environ(),
		"TENCENTCLOUD_SECRET_ID="+emulator.DefaultSecretID,
		"TENCENTCLOUD_SECRET_KEY="+emulator.DefaultSecretKey,
		"TENCENTCLOUD_SECURITY_TOKEN=",
		"NO_COLOR=1")
}

// cpu returns the CPU time the emulator process has used so far (0 when unknown).
func (e *emuProc) cpu() time.Duration {
	d, _ := procCPU(e.cmd.Process.Pid)
	return d
}

// executions fetches GET /_emulator/executions: every execution the emulator holds.
func (e *emuProc) executions(ctx context.Context) ([]emulator.Execution, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.URL+"/_emulator/executions", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("emulator executions: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("emulator executions: status %s", resp.Status)
	}
	var xs []emulator.Execution
	if err := json.NewDecoder(resp.Body).Decode(&xs); err != nil {
		return nil, fmt.Errorf("emulator executions: %w", err)
	}
	return xs, nil
}
