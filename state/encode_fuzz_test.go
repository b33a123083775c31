package state

import (
	"bytes"
	"testing"
)

// FuzzCellEncodings: the compact cells read back as the text they were made from, and a
// service time is stored as time.Parse and Format would have it (the fast path).
// Run: go test ./state -run x -fuzz FuzzCellEncodings -fuzztime 60s
func FuzzCellEncodings(f *testing.F) {
	for _, s := range []string{"", "b", "bb417c8e58d1bc2cdbda475ee5780a34e", "BB417C8E58D1BC2CDBDA475EE5780A34E",
		"e3767b60186f5914ed8d73bde53016b3ca920c545080872d11aba4d57c5b4295", "NmIxNzQ3MGRfMzQ2MWMxY2ZfY2VjM19hYTIy",
		"QQ==", "QQ==\n", "QR==", "Q Q==", "2024-01-01T00:00:00+0800", "2024-02-29T23:59:59-0000", "2024-01-01T00:00:00+2400",
		"0000-01-01T00:00:00+0000", "9999-12-31T23:59:59-2359", "1969-12-31T23:59:59+1400", "2024-01-01T00:00:00\x2b0800"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, prefix := range []int{0, jobIDPrefix} {
			v := encodeHex(s, prefix)
			if b, ok := v.([]byte); ok {
				v = bytes.Clone(b) // as the database gives it back
			}
			if got := decodeHex(v, prefix); got != s {
				t.Fatalf("hex (prefix %d): %q reads back as %q", prefix, s, got)
			}
		}
		if got := decodeBase64(encodeBase64(s)); got != s {
			t.Fatalf("base64: %q reads back as %q", s, got)
		}
		enc := encodeTime(s)
		if want := encodeTimeParsed(s); enc != want {
			t.Fatalf("encodeTime(%q) = %v, time.Parse and Format give %v", s, enc, want)
		}
		if got := decodeTime(enc); got != s {
			t.Fatalf("time: %q reads back as %q", s, got)
		}
	})
}
