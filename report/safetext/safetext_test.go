package safetext

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	_ "github.com/planrun/planrun/internal/testflag" // accepts -update
)

// Hostile are strings a service (or an object key) may carry to act on a terminal or a CI
// log: workflow commands after a line break, escape sequences, C1 controls, bidi overrides.
var Hostile = []string{
	"ok\n::add-mask::secret",
	"x\r\n::error::injected",
	"::set-output name=x::y",
	"   ::warning::indented",
	"##[error]old style",
	"x ##vso[task.setvariable variable=secret]1", "##VSO[task.complete result=Failed]", "a ###[group]b",
	"red \x1b[31mRED\x1b[0m \x1b]0;title\x07",
	"csi \u009b31m nel \u0085 st \u009c",
	"rtl \u202eexe.txt\u202c and \u2066iso\u2069",
	"sep\u2028line\u2029para",
	"nul\x00del\x7fbs\x08",
	"bad utf8 \xff\xfe\xc2",
	"tag \U000E0041 char",
	"=HYPERLINK(\"http://x\")",
	"+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1",
	"a|b|c", "<img src=x>",
}

// assertSafeLine fails when s could act on a terminal or a CI log.
func assertSafeLine(t *testing.T, what, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Errorf("%s: invalid UTF-8 in %q", what, s)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || hidden(r) {
			t.Errorf("%s: raw %U in %q", what, r, s)
		}
	}
	if hasCommand(s) {
		t.Errorf("%s: a workflow command in %q", what, s)
	}
}

func TestLineLeavesNoControlAndNoCommand(t *testing.T) {
	for _, s := range Hostile {
		assertSafeLine(t, "Line", Line(s))
	}
	for in, want := range map[string]string{
		"plain key/with spaces.mp4": "plain key/with spaces.mp4",
		"a\nb\tc\rd":                "a b c d",
		"\x1b[31m":                  `\x1b[31m`,
		"\u009b1m":                  `\u009b1m`,
		"\u202egnp.exe":             `\u202egnp.exe`,
		"::add-mask::x":             `:\:add-mask::x`,
		"a\n::error::x":             "a ::error::x",
		"\xff":                      `\xff`,
		"视频/ファイル 👨\u200d👩":          "视频/ファイル 👨\u200d👩",
		"x::y":                      "x::y",
	} {
		if got := Line(in); got != want {
			t.Errorf("Line(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCSVGuardsFormulas(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+1": "'+1", "-1": "'-1", "@x": "'@x", "\t=1": "' =1", "\r=1": "' =1",
		" =1": "' =1", "in/a.mp4": "in/a.mp4", "a=b": "a=b", "": "",
	} {
		if got := CSV(in); got != want {
			t.Errorf("CSV(%q) = %q, want %q", in, got, want)
		}
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	for _, s := range Hostile {
		if err := w.Write([]string{CSV(s), "x"}); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil || len(recs) != len(Hostile) {
		t.Fatalf("the CSV does not read back: %d records, %v", len(recs), err)
	}
	for _, rec := range recs {
		assertSafeLine(t, "CSV", rec[0])
		if c := strings.TrimLeft(rec[0], " "); c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			t.Errorf("a formula cell: %q", rec[0])
		}
	}
}

func TestMarkdownKeepsTheRow(t *testing.T) {
	for _, s := range Hostile {
		got := Markdown(s)
		assertSafeLine(t, "Markdown", got)
		if strings.Count(strings.ReplaceAll(got, `\|`, ""), "|") != 0 || strings.ContainsAny(got, "<>") {
			t.Errorf("Markdown(%q) = %q splits the row or carries HTML", s, got)
		}
	}
}

func TestJSONEscapesAndDecodesTheSame(t *testing.T) {
	for _, s := range append(Hostile, "plain", "视频 \U0001F600") {
		enc, err := json.Marshal(map[string]string{"message": s})
		if err != nil {
			t.Fatal(err)
		}
		got := JSON(enc)
		assertSafeLine(t, "JSON", strings.TrimPrefix(string(got), "::")) // JSON has no line start of its own
		var back map[string]string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("JSON(%q) is not valid JSON: %v\n%s", s, err, got)
		}
		var want map[string]string
		if err := json.Unmarshal(enc, &want); err != nil {
			t.Fatal(err)
		}
		if back["message"] != want["message"] {
			t.Errorf("JSON(%q) decodes to %q", s, back["message"])
		}
	}
}

func FuzzLine(f *testing.F) {
	for _, s := range Hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		assertSafeLine(t, "Line", Line(s))
		assertSafeLine(t, "CSV", CSV(s))
		assertSafeLine(t, "Markdown", Markdown(s))
		enc, _ := json.Marshal(s)
		var back, direct string
		_ = json.Unmarshal(enc, &direct) // encoding/json writes U+FFFD for invalid bytes
		if err := json.Unmarshal(JSON(enc), &back); err != nil || back != direct {
			t.Errorf("JSON round trip of %q: %q, %v", s, back, err)
		}
	})
}

func TestTextKeepsLinesAndDefusesEach(t *testing.T) {
	got := Text("create p-j-1: InvalidArgument: bad\n::add-mask::x\n\x1b[2Jhint")
	want := "create p-j-1: InvalidArgument: bad\n" + `:\:add-mask::x` + "\n" + `\x1b[2Jhint`
	if got != want {
		t.Errorf("Text = %q, want %q", got, want)
	}
}

func TestXMLEscapesAndParsesTheSame(t *testing.T) {
	type doc struct {
		XMLName xml.Name `xml:"d"`
		Attr    string   `xml:"a,attr"`
		Body    string   `xml:",chardata"`
	}
	for _, s := range Hostile {
		in := doc{Attr: s, Body: "line\n  ::error::x\n" + s}
		enc, err := xml.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		got := XML(enc)
		for i, line := range strings.Split(string(got), "\n") {
			if l := strings.TrimLeft(line, " \t"); strings.HasPrefix(l, "::") || strings.Contains(l, "##[") {
				t.Errorf("XML line %d runs a workflow command: %q", i, line)
			}
		}
		for _, r := range string(got) {
			if r == 0x7f || hidden(r) {
				t.Errorf("XML carries raw %U", r)
			}
		}
		var back, direct doc
		if err := xml.Unmarshal(got, &back); err != nil {
			t.Fatalf("XML(%q) is not valid XML: %v\n%s", s, err, got)
		}
		if err := xml.Unmarshal(enc, &direct); err != nil {
			t.Fatal(err)
		}
		if back != direct {
			t.Errorf("XML(%q) parses to %+v, want %+v", s, back, direct)
		}
	}
}

// TestJSONWriterUnderSlog: log lines of slog's JSON handler (one Write per record) stay
// valid JSON with the service's message exact, and carry no raw C1 or bidi character.
func TestJSONWriterUnderSlog(t *testing.T) {
	var b bytes.Buffer
	log := slog.New(slog.NewJSONHandler(JSONWriter(&b), nil))
	for _, h := range Hostile {
		log.Warn("retrying", "message", h)
	}
	for i, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		assertSafeLine(t, "slog", line)
		var rec struct{ Message string }
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %d is not JSON: %v", i, err)
		}
		if want := strings.ToValidUTF8(Hostile[i], "\uFFFD"); rec.Message != want && !strings.Contains(Hostile[i], "\xff") {
			t.Errorf("log line %d: message %q, want %q", i, rec.Message, want)
		}
	}
}

// hasCommand reports whether text s holds a workflow command a CI runner would run: "::"
// starting a line (after spaces and tabs), "##[" or "##vso[" (any case) anywhere.
func hasCommand(s string) bool {
	for _, line := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }) {
		if strings.HasPrefix(strings.TrimLeft(line, " \t"), "::") {
			return true
		}
	}
	l := strings.ToLower(s)
	return strings.Contains(l, "##[") || strings.Contains(l, "##vso[")
}

// TestCommandWriterBreaksCommandsAcrossWrites: a stream carrying workflow commands, cut
// into writes at every byte, comes out with none, the same whatever the cuts, and text
// without a command (colours included, and text Line cleaned) comes out unchanged.
func TestCommandWriterBreaksCommandsAcrossWrites(t *testing.T) {
	stream := "::error::at start\nok  ::warning::indented\n  ::add-mask::x\r::notice::cr\n" +
		"mid ##[error]old\n##vso[task.setvariable variable=x]1 ##VsO[y] ###[z]\n"
	var whole bytes.Buffer
	CommandWriter(&whole).Write([]byte(stream))
	if hasCommand(whole.String()) {
		t.Fatalf("a command left in %q", whole.String())
	}
	for cut := 1; cut < len(stream); cut++ {
		var b bytes.Buffer
		w := CommandWriter(&b)
		for i := 0; i < len(stream); i += cut {
			if n, err := w.Write([]byte(stream[i:min(i+cut, len(stream))])); err != nil || n != min(cut, len(stream)-i) {
				t.Fatalf("Write = %d, %v", n, err)
			}
		}
		if b.String() != whole.String() {
			t.Fatalf("writes of %d bytes: %q, want %q", cut, b.String(), whole.String())
		}
	}
	plain := "\x1b[31mred\x1b[0m a::b #1 ## [x] key#[y]\n" + Line("::error::x ##[error] ##vso[x]") + "\n"
	var b bytes.Buffer
	CommandWriter(&b).Write([]byte(plain))
	if b.String() != plain {
		t.Errorf("changed text without a command: %q -> %q", plain, b.String())
	}
}

// TestCommandDataKeepsNoOlderCommand: the message and properties of planrun's own
// annotations keep GitHub's escapes and break "##[" and "##vso[" (Azure Pipelines runs
// them anywhere in a line, a `::error` line included).
func TestCommandDataKeepsNoOlderCommand(t *testing.T) {
	for _, got := range []string{CommandData("a ##[error]x\n##vso[task.setvariable variable=y]1 100%"),
		CommandProperty("f ##VSO[x], ##[y]: z")} {
		if hasCommand(got) || strings.ContainsAny(got, "\n\r") {
			t.Errorf("%q carries a command or a line break", got)
		}
	}
	if got, want := CommandData("50% a\nb ##[x]"), `50%25 a%0Ab #\#[x]`; got != want {
		t.Errorf("CommandData = %q, want %q", got, want)
	}
}

// TestCommandWriterMatchesItsByteRule: the writer's skipping of stretches that cannot start
// a command changes nothing: on random text of the characters that matter, cut at random,
// it writes what the rule applied byte by byte writes, and leaves no command.
func TestCommandWriterMatchesItsByteRule(t *testing.T) {
	const alphabet = ":#[vVsSoO \t\n\rx"
	rule := func(s string) string {
		var b strings.Builder
		lineStart, colon, hash := true, false, 0
		for i := 0; i < len(s); i++ {
			c := s[i]
			if (c == ':' && colon) || (c == '[' && (hash == 2 || hash == 5)) {
				b.WriteByte('\\')
			}
			b.WriteByte(c)
			colon = c == ':' && lineStart
			lineStart = c == '\n' || c == '\r' || (lineStart && (c == ' ' || c == '\t'))
			switch {
			case c == '#' && hash >= 1 && hash <= 2:
				hash = 2
			case c == '#':
				hash = 1
			case hash >= 2 && hash <= 4 && (c|0x20) == "vso"[hash-2]:
				hash++
			default:
				hash = 0
			}
		}
		return b.String()
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		in := make([]byte, rnd.IntN(200))
		for i := range in {
			in[i] = alphabet[rnd.IntN(len(alphabet))]
		}
		var b bytes.Buffer
		w := CommandWriter(&b)
		for rest := in; len(rest) > 0; {
			n := 1 + rnd.IntN(len(rest))
			w.Write(rest[:n])
			rest = rest[n:]
		}
		if want := rule(string(in)); b.String() != want {
			t.Fatalf("%q: wrote %q, the rule gives %q", in, b.String(), want)
		}
		if hasCommand(b.String()) {
			t.Fatalf("%q: a command left in %q", in, b.String())
		}
	}
}
