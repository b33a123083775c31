package executor

import (
	"fmt"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/plan"
)

// hourlyPlanB is a plan of one workflow job of n hourly windows, for benchmarks.
func hourlyPlanB(b *testing.B, n int) *plan.Plan {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	y := fmt.Sprintf("version: 1\nname: bench\ndefaults:\n  bucket: %s\n  region: %s\n  workflow: w7476ff3564ee45b7b490d64bccaba6cc\n"+
		"jobs:\n  - name: hourly\n    prefix: input/video/\n    window:\n      start: %s\n      end: %s\n      every: 1h\n",
		testBucket, testRegion, start.Format(time.RFC3339), start.Add(time.Duration(n)*time.Hour).Format(time.RFC3339))
	p, err := plan.Parse("bench.yaml", []byte(y))
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// clientForB is clientFor for benchmarks: planrun's client, connected to emu.
func clientForB(b *testing.B, emu *emulator.Running) *ciapi.Client {
	c, err := ciapi.New(ciapi.Config{
		Credentials: ciapi.Credentials{SecretID: emulator.DefaultSecretID, SecretKey: emulator.DefaultSecretKey},
		Endpoint:    emu.URL,
	})
	if err != nil {
		b.Fatal(err)
	}
	return c
}
