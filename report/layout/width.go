package layout

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// DefaultWidth is the width text tables are fitted to when the terminal's is not known
// (stdout is not a terminal and $COLUMNS is not set).
const DefaultWidth = 80

// TableWidth picks the width text output is fitted to: the terminal's when stdout is one
// (term > 0), else $COLUMNS (columns, as the environment spells it), else DefaultWidth.
func TableWidth(term int, columns string) int {
	if term > 0 {
		return term
	}
	n := 0
	for _, r := range strings.TrimSpace(columns) {
		if r < '0' || r > '9' || n > 1e6 {
			n = 0
			break
		}
		n = n*10 + int(r-'0')
	}
	if n > 0 {
		return n
	}
	return DefaultWidth
}

// runeWidth is the number of terminal columns r takes: 0 for combining marks and
// zero-width formats, 2 for East Asian wide and fullwidth characters and most emoji, 1
// otherwise.
func runeWidth(r rune) int {
	switch {
	case r < 0x300:
		return 1
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		return 0
	case r >= 0x1100 && r <= 0x115f, // Hangul Jamo
		r >= 0x2e80 && r <= 0x303e, // CJK radicals .. CJK symbols
		r >= 0x3041 && r <= 0x33ff, // kana .. CJK compatibility
		r >= 0x3400 && r <= 0x4dbf, // CJK extension A
		r >= 0x4e00 && r <= 0x9fff, // CJK unified ideographs
		r >= 0xa000 && r <= 0xa4cf, // Yi
		r >= 0xac00 && r <= 0xd7a3, // Hangul syllables
		r >= 0xf900 && r <= 0xfaff, // CJK compatibility ideographs
		r >= 0xfe30 && r <= 0xfe4f, // CJK compatibility forms
		r >= 0xff00 && r <= 0xff60, // fullwidth forms
		r >= 0xffe0 && r <= 0xffe6,
		r >= 0x1f300 && r <= 0x1f64f, // pictographs, emoticons
		r >= 0x1f900 && r <= 0x1f9ff,
		r >= 0x20000 && r <= 0x3fffd: // CJK extensions B and up
		return 2
	}
	return 1
}

// textWidth is the number of terminal columns s takes (no escape sequences in s).
func TextWidth(s string) int {
	n := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		n += runeWidth(r)
		i += size
	}
	return n
}

// elideMiddle returns s when it fits in n columns, else its start and its end around "…",
// in at most n columns: the end of a key or a name (a digest, a file name) tells them
// apart as much as the start does.
func ElideMiddle(s string, n int) string {
	if TextWidth(s) <= n {
		return s
	}
	if n <= 1 {
		return strings.Repeat("…", max(n, 0))
	}
	rs := []rune(s)
	room := n - 1
	headRoom := (room + 1) / 2
	head, hw := 0, 0
	for head < len(rs) && hw+runeWidth(rs[head]) <= headRoom {
		hw += runeWidth(rs[head])
		head++
	}
	tail, tw := len(rs), 0
	for tail > head && tw+runeWidth(rs[tail-1]) <= room-hw {
		tw += runeWidth(rs[tail-1])
		tail--
	}
	return string(rs[:head]) + "…" + string(rs[tail:])
}

// elideEnd returns s when it fits in n columns, else its start and "…", in at most n
// columns.
func ElideEnd(s string, n int) string {
	if TextWidth(s) <= n {
		return s
	}
	if n <= 1 {
		return strings.Repeat("…", max(n, 0))
	}
	var b strings.Builder
	w := 0
	for _, r := range s {
		if w+runeWidth(r) > n-1 {
			break
		}
		w += runeWidth(r)
		b.WriteRune(r)
	}
	return b.String() + "…"
}

// padRight pads s with spaces to n columns.
func PadRight(s string, n int) string {
	if w := TextWidth(s); w < n {
		return s + strings.Repeat(" ", n-w)
	}
	return s
}

// fitLine fits one line of text to width columns by eliding its middle (nothing when
// width <= 0, which is --wide).
func FitLine(s string, width int) string {
	if width <= 0 {
		return s
	}
	return ElideMiddle(s, width)
}

// wrapCommand breaks a shell command longer than width columns at spaces into lines
// continued with " \", each continuation indented by indent: the command stays one that
// pastes and runs. A word longer than a line stays whole.
func WrapCommand(cmd string, width int, indent string) string {
	if width <= 0 || TextWidth(cmd) <= width {
		return cmd
	}
	words := ShellWords(cmd)
	var lines []string
	line := ""
	for _, w := range words {
		switch {
		case line == "":
			line = w
		case TextWidth(line)+1+TextWidth(w)+2 <= width-len(indent)*min(len(lines), 1):
			line += " " + w
		default:
			lines = append(lines, line+" \\")
			line = w
		}
	}
	lines = append(lines, line)
	return strings.Join(lines, "\n"+indent)
}

// wrapWidth breaks prose longer than width columns into lines at spaces (nothing when
// width <= 0, which is --wide).
func WrapWidth(s string, width int) string {
	if width <= 0 || TextWidth(s) <= width {
		return s
	}
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		word = ElideMiddle(word, width)
		switch {
		case line == "":
			line = word
		case TextWidth(line)+1+TextWidth(word) <= width:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	return strings.Join(append(lines, line), "\n")
}

// indentLines puts indent before every line of s.
func IndentLines(s, indent string) string {
	return indent + strings.ReplaceAll(s, "\n", "\n"+indent)
}

// shellWords splits a shell command at the spaces outside quotes and escapes, keeping each
// word as written (quotes included).
func ShellWords(cmd string) []string {
	var words []string
	var b strings.Builder
	var quote rune
	escaped := false
	for _, r := range cmd {
		switch {
		case escaped:
			escaped = false
		case r == '\\' && quote != '\'':
			escaped = true
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == ' ':
			if b.Len() > 0 {
				words = append(words, b.String())
				b.Reset()
			}
			continue
		}
		b.WriteRune(r)
	}
	if b.Len() > 0 {
		words = append(words, b.String())
	}
	return words
}
