package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"time"
)

// bench is the configuration of one bench run.
type bench struct {
	root, dir, bin string // module root, scratch folder, planrun binary
	cpuprofile     string

	expandN, validateJobs, throughputN, latencyN, rateN, waitN int
	resultsN, queueN                                           int
	waitScaleN                                                 int   // the larger size of the wait scale area
	stateSizeN                                                 int   // requests of the state size area
	memoryN                                                    []int // sizes of the memory area, smallest first
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == rssLauncherArg {
		os.Exit(runLauncher(os.Args[2:]))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// run parses the flags, builds planrun, measures every area and prints the table.
func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	quick := fs.Bool("quick", false, "small sizes: a smoke test of the bench, not figures to quote")
	keep := fs.Bool("keep", false, "keep the scratch folder (plans, state files)")
	only := fs.String("only", "", "comma-separated areas to run: expand,validate,throughput,latency,rate,wait,adaptive,results,queue,memory,waitscale,recovery,statesize (default all)")
	memoryMax := fs.Int("memory-max", 1_000_000, "largest plan of the memory area: 1000000 measures 100,000 and 1,000,000 requests (a quarter hour or more); 100000 measures 10,000 and 100,000")
	b := &bench{expandN: 1_000_000, validateJobs: 10_000, throughputN: 20_000, latencyN: 10_000, rateN: 2_000, waitN: 10_000,
		resultsN: 100_000, queueN: 1_000, waitScaleN: 200_000, stateSizeN: 100_000}
	fs.IntVar(&b.waitScaleN, "wait-scale-max", b.waitScaleN, "larger plan of the waitscale area (the smaller is a tenth): 1000000 measures 100,000 and 1,000,000 requests")
	fs.IntVar(&b.stateSizeN, "state-size", b.stateSizeN, "requests of the statesize area (the state file's bytes per request)")
	fs.StringVar(&b.cpuprofile, "cpuprofile", "", "write a CPU profile of the in-process executor.Run to this `file`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *quick {
		*b = bench{cpuprofile: b.cpuprofile, expandN: 100_000, validateJobs: 10_000, throughputN: 2_000,
			latencyN: 1_000, rateN: 300, waitN: 1_000, resultsN: 5_000, queueN: 200, waitScaleN: 20_000,
			stateSizeN: 10_000}
		*memoryMax = 10_000
	}
	if *memoryMax < 10 {
		return fmt.Errorf("-memory-max %d: want at least 10", *memoryMax)
	}
	b.memoryN = []int{*memoryMax / 10, *memoryMax}
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	b.root = root
	if b.dir, err = os.MkdirTemp("", "planrun-bench-"); err != nil {
		return fmt.Errorf("scratch folder: %w", err)
	}
	if *keep {
		fmt.Fprintln(os.Stderr, "bench: scratch folder", b.dir)
	} else {
		defer os.RemoveAll(b.dir)
	}
	if b.cpuprofile != "" {
		if b.cpuprofile, err = filepath.Abs(b.cpuprofile); err != nil {
			return err
		}
	}
	b.bin = filepath.Join(b.dir, "planrun")
	if _, err := runProc(ctx, root, nil, true, "go", "build", "-o", b.bin, "./cmd/planrun"); err != nil {
		return fmt.Errorf("build planrun: %w", err)
	}

	areas := []struct {
		name string
		fn   func(context.Context, *bench, *table) error
	}{
		{"expand", benchExpansion},
		{"validate", benchValidate},
		{"throughput", benchThroughput},
		{"latency", benchLatency},
		{"rate", benchRateLimit},
		{"wait", benchWait},
		{"adaptive", benchAdaptive},
		{"results", benchResults},
		{"queue", benchQueue},
		{"memory", benchMemory},
		{"waitscale", benchWaitScale},
		{"recovery", benchRecovery},
		{"statesize", benchStateSize},
	}
	want := map[string]bool{}
	for _, a := range strings.Split(*only, ",") {
		if a = strings.TrimSpace(a); a != "" {
			want[a] = true
		}
	}
	start := time.Now()
	t := &table{}
	for _, a := range areas {
		if len(want) > 0 && !want[a.name] {
			continue
		}
		fmt.Fprintf(os.Stderr, "bench: %s (%.0fs so far)\n", a.name, time.Since(start).Seconds())
		if err := a.fn(ctx, b, t); err != nil {
			if ctx.Err() != nil {
				return errors.Join(err, ctx.Err())
			}
			t.fail(a.name, err)
		}
	}
	note := ""
	if *quick {
		note = " (-quick: small sizes, not figures to quote)"
	}
	t.write(os.Stdout, describeMachine(), start.UTC().Format(time.RFC3339)+note, time.Since(start).Round(time.Second).String())
	return nil
}

// moduleRoot is the folder of the main module's go.mod.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("find the module root: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("run the bench from inside the planrun module")
	}
	return filepath.Dir(gomod), nil
}
