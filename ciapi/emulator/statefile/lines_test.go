package statefile

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	_ "github.com/planrun/planrun/internal/testflag" // accepts -update
)

// TestReaderBoundsEveryLine: a line of exactly the limit is read, one byte more is refused
// naming its line (counted after the lines already read), and a last line without its
// line break is returned as such.
func TestReaderBoundsEveryLine(t *testing.T) {
	const max = 10
	in := "a\n" + strings.Repeat("b", max) + "\n" + "tail"
	r := NewReader(strings.NewReader(in), max, 4)
	for _, want := range []struct {
		line   string
		broken bool
	}{{"a", true}, {strings.Repeat("b", max), true}, {"tail", false}} {
		line, broken, err := r.Next()
		if err != nil || string(line) != want.line || broken != want.broken {
			t.Fatalf("Next() = %q, %v, %v; want %q, %v", line, broken, err, want.line, want.broken)
		}
	}
	if r.Line() != 7 {
		t.Errorf("Line() = %d, want 7", r.Line())
	}
	if _, _, err := r.Next(); err != io.EOF {
		t.Errorf("at the end: %v, want io.EOF", err)
	}
	for _, long := range []string{strings.Repeat("c", max+1) + "\n", strings.Repeat("c", max+1), strings.Repeat("c", 1<<20)} {
		r := NewReader(strings.NewReader("ok\n"+long), max, 0)
		r.Next()
		_, _, err := r.Next()
		var tl *TooLongError
		if !errors.As(err, &tl) || !errors.Is(err, ErrTooLong) || tl.Line != 2 || !strings.Contains(err.Error(), "line 2") {
			t.Errorf("a line of %d bytes: %v, want line 2 too long", len(long), err)
		}
	}
}

// TestBudgetBoundsADecodedValue: a decoder reading through a Budget set again before each
// value reads values under the budget and refuses a longer one.
func TestBudgetBoundsADecodedValue(t *testing.T) {
	in := `["short","` + strings.Repeat("x", 5000) + `"]`
	b := &Budget{R: strings.NewReader(in), Max: 1000}
	b.Reset()
	dec := json.NewDecoder(b)
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var s string
	b.Reset()
	if err := dec.Decode(&s); err != nil || s != "short" {
		t.Fatalf("first value: %q, %v", s, err)
	}
	b.Reset()
	if err := dec.Decode(&s); !errors.Is(err, ErrTooLong) {
		t.Errorf("a value of 5,000 bytes under a budget of 1,000: %v, want ErrTooLong", err)
	}
}
