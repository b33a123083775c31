package layout

import (
	"fmt"
	"strings"
	"testing"
)

// The sorted table merges runs spooled to disk in the same order as a sort in memory.
func TestAlignedTableSortsPastTheSpill(t *testing.T) {
	var b strings.Builder
	at := &AlignedTable{W: &b, Sorted: true}
	fmt.Fprintln(at, "HEAD\tX")
	n := 60000 // > alignedSpill of lines
	for i := range n {
		fmt.Fprintf(at, "k%07d\t%s\n", (i*7919)%n, strings.Repeat("x", 10))
	}
	if err := at.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != n+1 || !strings.HasPrefix(lines[0], "HEAD") {
		t.Fatalf("%d lines, first %q", len(lines), lines[0])
	}
	for i := 1; i < len(lines); i++ {
		if want := fmt.Sprintf("k%07d", i-1); !strings.HasPrefix(lines[i], want) {
			t.Fatalf("line %d: %q, want %s", i, lines[i], want)
		}
	}
}

func TestElideMiddleCountsWideRunes(t *testing.T) {
	for _, n := range []int{1, 2, 5, 10, 11} {
		got := ElideMiddle("视频视频视频abcdef视频", n)
		if TextWidth(got) > n {
			t.Errorf("n=%d: %q is %d columns", n, got, TextWidth(got))
		}
	}
	if got := ElideMiddle("abcdefghij", 7); got != "abc…hij" {
		t.Errorf("got %q", got)
	}
	if TableWidth(0, "") != 80 || TableWidth(0, "132") != 132 || TableWidth(100, "132") != 100 || TableWidth(0, "x") != 80 {
		t.Error("TableWidth: the terminal, then $COLUMNS, then 80")
	}
}

// A long command is wrapped between its words, never inside a quoted one, and reads back
// as the same words once a shell joins the lines.
func TestWrapCommandKeepsQuotedWords(t *testing.T) {
	cmd := `planrun status --refresh --state '/tmp/a folder/state db' --since 2024-01-10 --exclude "my plans/x y.yaml" plans/a.yaml plans/b.yaml`
	got := WrapCommand(cmd, 40, "  ")
	for _, line := range strings.Split(got, "\n") {
		if TextWidth(line) > 40 && !strings.Contains(line, "'") {
			t.Errorf("line of %d columns: %q", TextWidth(line), line)
		}
	}
	joined := strings.Join(strings.Fields(strings.ReplaceAll(got, " \\\n", " ")), " ")
	if joined != cmd || !strings.Contains(got, "'/tmp/a folder/state db'") {
		t.Errorf("wrapped:\n%s\njoined: %s", got, joined)
	}
}
