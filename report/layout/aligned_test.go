package layout

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"text/tabwriter"

	_ "github.com/planrun/planrun/internal/testflag" // accepts -update
)

// alignedTable renders what text/tabwriter renders, in memory and once spooled to disk.
func TestAlignedTableMatchesTabwriter(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	words := []string{"", "-", "a", "plan", "video-backfill", "Success", "Failed", "é-ü-ß", "b1234567890abcdef", "1"}
	for _, rows := range []int{0, 1, 7, 20000} { // 20,000 rows spill past alignedSpill
		var want, got bytes.Buffer
		tw := tabwriter.NewWriter(&want, 0, 4, 2, ' ', 0)
		at := NewAlignedTable(&got)
		for i := range rows + 1 {
			var b strings.Builder
			for c := range 6 {
				if c > 0 {
					b.WriteByte('\t')
				}
				b.WriteString(words[rng.IntN(len(words))])
				if i == 0 {
					b.WriteString("HEAD")
				}
			}
			b.WriteByte('\n')
			fmt.Fprint(tw, b.String())
			fmt.Fprint(at, b.String())
		}
		if err := tw.Flush(); err != nil {
			t.Fatal(err)
		}
		if err := at.Flush(); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Fatalf("%d rows: the aligned table differs from tabwriter:\n%.500s\nwant\n%.500s", rows, got.String(), want.String())
		}
	}
}
