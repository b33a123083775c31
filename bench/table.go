package main

import (
	"fmt"
	"io"
	"strings"
)

// row is one figure of the table.
type row struct {
	Area, Figure, Value, Target, Verdict string
}

// table collects the figures of one bench run, in the order measured.
type table struct {
	rows []row
}

// add records a figure; ok is nil for a figure that has no target of its own.
func (t *table) add(area, figure, value, target string, ok *bool) {
	v := ""
	if ok != nil {
		v = "met"
		if !*ok {
			v = "**missed**"
		}
	}
	t.rows = append(t.rows, row{area, figure, value, target, v})
}

// check is a helper for add: the address of a verdict.
func check(ok bool) *bool { return &ok }

// fail records a measurement that could not be made.
func (t *table) fail(area string, err error) {
	t.rows = append(t.rows, row{area, "error", err.Error(), "", "**failed**"})
}

// write renders the machine and the table as Markdown.
func (t *table) write(w io.Writer, m machine, when string, elapsed string) {
	fmt.Fprintf(w, "Machine: %s\n\n", m)
	fmt.Fprintf(w, "Run: %s, bench took %s\n\n", when, elapsed)
	fmt.Fprintln(w, "| # | figure | measured | target | verdict |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, r := range t.rows {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", cell(r.Area), cell(r.Figure), cell(r.Value), cell(r.Target), r.Verdict)
	}
}

// cell escapes the pipe characters of a table cell.
func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
}

// mib renders a byte count in MiB.
func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// perSec renders a rate.
func perSec(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2fM req/s", v/1e6)
	case v >= 1e4:
		return fmt.Sprintf("%.1fk req/s", v/1e3)
	}
	return fmt.Sprintf("%.1f req/s", v)
}

// pct renders a ratio as a percentage.
func pct(r float64) string { return fmt.Sprintf("%.1f%%", 100*r) }
