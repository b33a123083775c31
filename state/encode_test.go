package state

import (
	"strings"
	"testing"
)

// TestNamesRoundTrip checks that every Name comes back as it was stored, whatever its
// length (the padding of the packed bits) and whether or not it starts with its plan.
func TestNamesRoundTrip(t *testing.T) {
	names := []string{"p-", "p--", "p-a", "p-ab", "p-abc", "p-abcd", "p-abcde", "p-a-", "p-a--", "p---",
		"p-videos-20240101T0000-e3767b60186f5914", "p-videos-20240101T0000-e3767b60186f5914-a2",
		"p-" + strings.Repeat("Zz_9-", 40), "p-a.b", "p-ü", "other", "", "\x01x", "p", "pp-x"}
	seen := map[string]string{}
	for _, n := range names {
		enc := encodeName("p", n)
		if got := decodeName("p", enc); got != n {
			t.Errorf("%q: stored as %q, read back as %q", n, enc, got)
		}
		var key string
		switch e := enc.(type) {
		case string:
			key = "t" + e
		case []byte:
			key = "b" + string(e)
		}
		if o, dup := seen[key]; dup {
			t.Errorf("%q and %q are stored alike", o, n)
		}
		seen[key] = n
	}
	if b, ok := encodeName("p", "p-videos-20240101T0000-e3767b60186f5914").([]byte); !ok || len(b) != 1+28 {
		t.Errorf("a Name of 37 characters after its plan takes %d bytes, want 29", len(b))
	}
}
