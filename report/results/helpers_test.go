package results

import (
	"testing"

	"github.com/planrun/planrun/internal/testflag"
)

// golden is testflag.Golden.
func golden(t *testing.T, name, got string) { testflag.Golden(t, name, got) }
