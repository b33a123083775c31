package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// rssLauncherArg, as the bench's first argument, makes the bench a launcher: it runs the
// command that follows and writes the command's peak RSS (bytes) to $PLANRUN_BENCH_RSS_FILE.
//
// Why: on Linux a child's peak RSS (rusage Maxrss) includes the peak resident memory of the
// process it was forked from (Go forks with a shared address space until exec), so a child
// of a bench that held 100 MiB once reports at least 100 MiB. The launcher is a fresh, small
// process: its child's peak is the child's own.
const rssLauncherArg = "__measure-rss"

// envRSSFile names the file the launcher writes the peak RSS to.
const envRSSFile = "PLANRUN_BENCH_RSS_FILE"

// runLauncher is the bench run as a launcher: args are the command and its arguments. It
// returns the command's exit status.
func runLauncher(args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "bench launcher: no command")
		return 2
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	if cmd.ProcessState != nil {
		if f := os.Getenv(envRSSFile); f != "" {
			_ = os.WriteFile(f, []byte(strconv.FormatInt(maxRSS(cmd.ProcessState.SysUsage()), 10)), 0o644)
		}
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench launcher:", err)
		return 2
	}
	return 0
}

// launched returns the command runProc runs for name and args: through the launcher on
// Linux (see rssLauncherArg), with the file it writes the peak RSS to; as given elsewhere,
// or when the bench's own executable cannot be found.
func launched(name string, args []string, scratch string) (string, []string, string) {
	if runtime.GOOS != "linux" {
		return name, args, ""
	}
	self, err := os.Executable()
	if err != nil {
		return name, args, ""
	}
	f, err := os.CreateTemp(scratch, "rss-*")
	if err != nil {
		return name, args, ""
	}
	f.Close()
	return self, append([]string{rssLauncherArg, name}, args...), f.Name()
}

// readRSS reads and removes the file the launcher wrote; 0 when there is none.
func readRSS(path string) int64 {
	if path == "" {
		return 0
	}
	defer os.Remove(path)
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	n, _ := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	return n
}
