package layout

import (
	"fmt"
	"strings"

	"github.com/planrun/planrun/report/safetext"
)

// MaxListed caps the failures listed by the text summary, the step summary, the grid and
// the GitHub annotations; the JSON report always has them all.
const MaxListed = 50

// Plural returns "n word" or "n words".
func Plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// mdEscaper escapes what GitHub-flavoured Markdown would interpret in a table cell,
// including raw HTML.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "|", `\|`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`,
	"<", "&lt;", ">", "&gt;", "&", "&amp;", "#", `\#`, "~", `\~`,
)

// MD renders service or plan text as one line of literal Markdown.
func MD(s string) string { return mdEscaper.Replace(safetext.Line(s)) }

// FitWidth is the width to fit to: width (DefaultWidth when 0), or 0 (none) when wide.
func FitWidth(width int, wide bool) int {
	switch {
	case wide:
		return 0
	case width <= 0:
		return DefaultWidth
	}
	return width
}

// MDCode renders s as a Markdown code span that is safe inside a table cell.
func MDCode(s string) string {
	if s == "" {
		return `""`
	}
	return "`" + strings.ReplaceAll(strings.ReplaceAll(safetext.Line(s), "`", "'"), "|", `\|`) + "`"
}
