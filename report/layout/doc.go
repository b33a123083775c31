// Package layout is the text kit every room of report draws with: terminal widths (wide
// runes count two columns), eliding and wrapping to a width, plain-text tables fitted to
// the terminal (columns elided, then dropped, as their specs say), aligned tables that
// spill to disk past a budget, ANSI colours, Markdown cells and plurals. It knows no
// planrun type: it takes strings and returns strings.
package layout
