// Package safetext makes the strings planrun did not write itself (codes, messages, states,
// object keys and names from the service) safe to print. One function per kind of output:
//
//   - Line for a terminal, a log line or a text table: line breaks and tabs become spaces;
//     other control characters (C0, DEL, C1 such as U+009B CSI and U+0085 NEL), bidirectional
//     overrides and invalid UTF-8 are shown as escapes (\x1b, \u009b, \u202e), never raw; a
//     workflow command of GitHub Actions or Azure Pipelines ("::" at the start of a line,
//     "##[" or "##vso[" anywhere) is broken so that the runner does not run it.
//   - Text for text of several lines (an error message): each line through Line.
//   - CSV for a CSV cell: Line, then a leading ' before a cell a spreadsheet would take as a
//     formula (one starting with =, +, -, @, a tab or a carriage return), as the OWASP
//     guidance on CSV injection advises.
//   - Markdown for a Markdown table cell: Line, then | escaped and < > & written as entities.
//   - JSON for JSON already encoded (by encoding/json): the characters encoding/json leaves
//     raw that a terminal may act on are written as \u escapes, so the document is still
//     valid JSON and decodes to exactly the same strings.
//   - XML for XML already encoded (JUnit): the same characters, and a workflow command at
//     the start of a line of text, are written as character references: still valid XML,
//     the same text once parsed.
//   - CommandWriter for a stream of text planrun wrote (a text or Markdown report): the one
//     net under them all, it breaks a workflow command wherever one is formed, whoever
//     wrote its parts, and changes nothing else.
//
// It imports no planrun package.
package safetext

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Line returns s fit for one line of text on a terminal or in a CI log.
func Line(s string) string {
	if !needsLine(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case hidden(r) && r > 0xffff:
			fmt.Fprintf(&b, `\U%08x`, r)
		case hidden(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return Defuse(b.String())
}

// Text returns s fit for a terminal or a CI log as lines: each line of s through Line, so
// that a message planrun writes over several lines keeps them while no line can start a
// workflow command or carry a control character.
func Text(s string) string {
	if !needsLine(strings.ReplaceAll(s, "\n", "")) {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Line(l)
	}
	return strings.Join(lines, "\n")
}

// needsLine reports whether Line would change s (the common case is a plain string).
func needsLine(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return true
		}
	}
	return strings.Contains(s, "::") || strings.Contains(s, "##")
}

// command returns the length of the older workflow command prefix at the start of s:
// "##[" (GitHub Actions, Azure Pipelines), "##vso[" in any case (Azure Pipelines), or 0.
func command(s string) int {
	switch {
	case strings.HasPrefix(s, "##["):
		return 3
	case len(s) >= 6 && s[:2] == "##" && strings.EqualFold(s[2:6], "vso["):
		return 6
	}
	return 0
}

// hidden reports whether r is a character a terminal may act on or that hides or reorders
// text: C1 controls, bidirectional marks, embeddings, overrides and isolates, the line and
// paragraph separators, and other invisible format characters.
func hidden(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x2028 || r == 0x2029:
		return true
	case r == 0x200c || r == 0x200d:
		return false // joiners: part of emoji and of several scripts' spelling
	}
	return unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Bidi_Control, r)
}

// Defuse breaks workflow commands in s: "::" at the start of s (after spaces, which the
// runner skips) becomes ":\:", and "##[" or "##vso[" anywhere becomes "#\#[" or "#\#vso[".
func Defuse(s string) string {
	if strings.HasPrefix(strings.TrimLeft(s, " "), "::") {
		i := strings.Index(s, "::")
		s = s[:i] + `:\:` + s[i+2:]
	}
	if !strings.Contains(s, "##") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if command(s[i:]) > 0 {
			b.WriteString(`#\`)
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// CSV returns s fit for a CSV cell (the CSV writer still quotes it).
func CSV(s string) string {
	t := Line(s)
	if s != "" && (s[0] == '\t' || s[0] == '\r') {
		return "'" + t
	}
	if u := strings.TrimLeft(t, " "); u != "" && strings.ContainsRune("=+-@", rune(u[0])) {
		return "'" + t
	}
	return t
}

// markdownEscaper escapes what would end or change a Markdown table cell.
var markdownEscaper = strings.NewReplacer(`|`, `\|`, `&`, "&amp;", `<`, "&lt;", `>`, "&gt;")

// Markdown returns s fit for a Markdown table cell.
func Markdown(s string) string { return markdownEscaper.Replace(Line(s)) }

// JSON returns encoded JSON with every character that encoding/json leaves raw but a
// terminal may act on (DEL, C1 controls, bidirectional and other invisible format
// characters), and the second # of "##[", written as a \u escape. These can only occur
// inside strings, where an escape means the same character, so the result decodes to the
// same value. encoded is returned
// as it is when nothing needs escaping.
func JSON(encoded []byte) []byte {
	clean := !bytes.Contains(encoded, []byte("##"))
	for _, c := range encoded {
		if !clean {
			break
		}
		clean = c != 0x7f && c < 0x80
	}
	if clean {
		return encoded
	}
	out := make([]byte, 0, len(encoded)+16)
	for i := 0; i < len(encoded); {
		r, n := utf8.DecodeRune(encoded[i:])
		switch {
		case r == 0x7f || (r != utf8.RuneError && hidden(r) && r <= 0xffff):
			out = fmt.Appendf(out, `\u%04x`, r)
		case r != utf8.RuneError && hidden(r):
			hi, lo := utf16.EncodeRune(r)
			out = fmt.Appendf(out, `\u%04x\u%04x`, hi, lo)
		case r == '#' && command(string(encoded[i:min(i+6, len(encoded))])) > 0:
			out = append(out, `#\u0023`...) // the runners' older commands start anywhere
			n = 2
		default:
			out = append(out, encoded[i:i+n]...)
		}
		i += n
	}
	return out
}

// CSVRow returns the cells of one CSV row, each made safe with CSV.
func CSVRow(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = CSV(c)
	}
	return out
}

// JSONWriter returns a writer that passes what it is given through JSON to w. Give it to
// json.NewEncoder: an Encoder writes each value whole in one Write, so no character is
// split between two calls.
func JSONWriter(w io.Writer) io.Writer { return jsonWriter{w} }

type jsonWriter struct{ w io.Writer }

// Write writes JSON(p) to the underlying writer and reports p as written.
func (j jsonWriter) Write(p []byte) (int, error) {
	if _, err := j.w.Write(JSON(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// XML returns encoded XML with every character a terminal may act on (DEL, C1 controls,
// bidirectional and other invisible format characters) written as a character reference,
// and the workflow commands of the text broken the same way: the first ':' of "::" at the
// start of a line (after spaces and tabs) and the second '#' of "##[". Such characters
// occur only in text and attribute values, where a reference means the same character.
func XML(encoded []byte) []byte {
	var out []byte // nil until something changes
	lineStart := true
	for i := 0; i < len(encoded); {
		r, n := utf8.DecodeRune(encoded[i:])
		var ref string
		switch {
		case r == 0x7f || (r != utf8.RuneError && hidden(r)):
			ref = fmt.Sprintf("&#x%x;", r)
		case r == ':' && lineStart && bytes.HasPrefix(encoded[i:], []byte("::")):
			ref = "&#x3a;"
		case r == '#' && command(string(encoded[i:min(i+6, len(encoded))])) > 0:
			ref, n = "#&#x23;", 2
		}
		if ref != "" && out == nil {
			out = append(make([]byte, 0, len(encoded)+16), encoded[:i]...)
		}
		switch {
		case ref != "":
			out = append(out, ref...)
		case out != nil:
			out = append(out, encoded[i:i+n]...)
		}
		lineStart = r == '\n' || (lineStart && (r == ' ' || r == '\t'))
		i += n
	}
	if out == nil {
		return encoded
	}
	return out
}

// CommandWriter returns a writer that passes what it is given to w with every workflow
// command broken, however the writes cut it: a "::" at the start of a line (after spaces
// and tabs) gets a backslash between its colons (":\:"), and "##[" or "##vso[" (any case)
// a backslash before its bracket ("##\[", "##vso\["). Nothing is held back and nothing
// else changes (colours included), so it may wrap any text stream planrun writes, and
// text already cleaned by Line passes unchanged. It is not safe for concurrent use.
func CommandWriter(w io.Writer) io.Writer { return &commandWriter{w: w, lineStart: true} }

type commandWriter struct {
	w         io.Writer
	lineStart bool // only spaces and tabs since the last line break
	colon     bool // the last byte was a ':' that started its line
	hash      int  // progress in "##vso": 1 '#', 2 "##", 3 "##v", 4 "##vs", 5 "##vso"
	buf       []byte
}

// Write writes p, broken where it forms a workflow command, and reports p as written.
// Between line breaks and '#'s nothing can start a command: those stretches are skipped
// with bytes.IndexByte, and p is passed on as it is when nothing was broken.
func (c *commandWriter) Write(p []byte) (int, error) {
	out, last := c.buf[:0], 0
	next := [3]int{-1, -1, -1} // the next '\n', '\r' and '#' at or after i (len(p): none)
	for i := 0; i < len(p); i++ {
		if !c.lineStart && !c.colon && c.hash == 0 {
			j := len(p)
			for k, ch := range []byte{'\n', '\r', '#'} {
				if next[k] < i {
					if n := bytes.IndexByte(p[i:], ch); n >= 0 {
						next[k] = i + n
					} else {
						next[k] = len(p)
					}
				}
				j = min(j, next[k])
			}
			if i = j; i == len(p) {
				break
			}
		}
		b := p[i]
		if (b == ':' && c.colon) || (b == '[' && (c.hash == 2 || c.hash == 5)) {
			out = append(append(out, p[last:i]...), '\\')
			last = i
		}
		c.colon = b == ':' && c.lineStart
		c.lineStart = b == '\n' || b == '\r' || (c.lineStart && (b == ' ' || b == '\t'))
		switch {
		case b == '#' && c.hash >= 1 && c.hash <= 2:
			c.hash = 2
		case b == '#':
			c.hash = 1
		case c.hash >= 2 && c.hash <= 4 && (b|0x20) == "vso"[c.hash-2]:
			c.hash++
		default:
			c.hash = 0
		}
	}
	if last == 0 && len(out) == 0 {
		out = p
	} else {
		out = append(out, p[last:]...)
		c.buf = out
	}
	if _, err := c.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// CommandData escapes the message of a workflow command planrun writes (GitHub Actions'
// %25, %0D, %0A), with the older commands inside broken as Defuse does, for Azure
// Pipelines reads "##vso[" anywhere in a line.
func CommandData(s string) string {
	return Defuse(strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s))
}

// CommandProperty escapes a property value of a workflow command as CommandData does, and
// its ':' and ',' too.
func CommandProperty(s string) string {
	return Defuse(strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s))
}
