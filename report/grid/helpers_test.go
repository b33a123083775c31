package grid

import (
	"strings"
	"testing"

	"github.com/planrun/planrun/internal/testflag"
	"github.com/planrun/planrun/report/layout"
)

// golden is testflag.Golden.
func golden(t *testing.T, name, got string) { testflag.Golden(t, name, got) }

// stripANSI removes the colours of the text formats.
func stripANSI(s string) string {
	for _, code := range []string{layout.ANSIReset, layout.ANSIBold, layout.ANSIRed, layout.ANSIGreen, layout.ANSIYellow, layout.ANSICyan} {
		s = strings.ReplaceAll(s, code, "")
	}
	return s
}
