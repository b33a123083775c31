package objects

import (
	"context"
	"testing"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/internal/exectest"
	"github.com/planrun/planrun/internal/testenv"
	_ "github.com/planrun/planrun/internal/testflag" // accepts -update
	"github.com/planrun/planrun/state"
)

// The bucket and region of testenv's plans.
const (
	testBucket = testenv.Bucket
	testRegion = testenv.Region
)

// startEmulator is testenv.Start.
func startEmulator(t *testing.T, opts emulator.Options) (*emulator.Running, *ciapi.Client) {
	t.Helper()
	return testenv.Start(t, opts)
}

// openStore is exectest.Store.
func openStore(t *testing.T, path string) *state.Store { return exectest.Store(t, path) }

// quick is exectest.Quick.
func quick() executor.Options { return exectest.Quick() }

// background is exectest.Context.
func background(t *testing.T) context.Context { return exectest.Context(t) }
