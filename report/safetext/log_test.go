package safetext

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"unicode/utf8"
)

// hostileLogValues are strings a client or the service may send: ANSI escapes, C1 and
// bidirectional controls, line breaks that start a workflow command, the older commands
// anywhere, invalid UTF-8.
var hostileLogValues = []string{
	"\x1b[31mred\x1b[0m", "a\u009b31mb", "evil\u202egnp.exe", "x\n::error::pwned", "::warning::x",
	"x##vso[task.setvariable variable=a]1", "##[group]x", "a\r\n##[error]b", "bad\xff\xfe", "tab\there", "bell\a",
	"line\u2028sep", "del\x7f",
}

// TestTextHandlerCleansHostileValues logs every hostile value as a string, an error and a
// message, and checks that each record is one line with nothing a terminal or a CI runner
// would act on.
func TestTextHandlerCleansHostileValues(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(TextHandler(&buf, nil))
	for _, v := range hostileLogValues {
		log.Info(v, "path", v, "err", errors.New(v), "n", 1)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != len(hostileLogValues) {
		t.Fatalf("%d lines for %d records:\n%s", len(lines), len(hostileLogValues), buf.String())
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "time=") {
			t.Errorf("a line does not start a record: %q", l)
		}
		if strings.Contains(l, "##[") || strings.Contains(strings.ToLower(l), "##vso[") {
			t.Errorf("workflow command left whole: %q", l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("invalid UTF-8 written: %q", l)
		}
		for _, r := range l {
			if r < 0x20 || r == 0x7f || hidden(r) {
				t.Errorf("raw %U written: %q", r, l)
			}
		}
	}
}
