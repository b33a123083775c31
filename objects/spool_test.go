package objects

import (
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/planrun/planrun/executor"
)

// A spool gives back every result in order, those past its memory from a temporary file
// that it removes.
func TestSpoolKeepsOrderAndRemovesItsFile(t *testing.T) {
	var s spool
	const n = spoolInMemory + 1000
	for i := range n {
		r := executor.ObjectResult{Object: fmt.Sprintf("in/%06d .mp4", i), Round: i%3 + 1, Code: "X", DetailErr: errors.New("lost")}
		if err := s.add(r); err != nil {
			t.Fatal(err)
		}
	}
	if s.f == nil || len(s.mem) != spoolInMemory {
		t.Fatalf("%d in memory, file %v", len(s.mem), s.f)
	}
	name := s.f.Name()
	i := 0
	err := s.each(func(r *executor.ObjectResult) error {
		if want := fmt.Sprintf("in/%06d .mp4", i); r.Object != want || r.Round != i%3+1 || r.Code != "X" {
			return fmt.Errorf("result %d is %+v, want %s", i, r, want)
		}
		i++
		return nil
	})
	if err != nil || i != n {
		t.Fatalf("%d results, %v", i, err)
	}
	if _, err := os.Stat(name); !os.IsNotExist(err) {
		t.Fatalf("the spool file is still there: %v", err)
	}
	if err := s.each(func(*executor.ObjectResult) error { return errors.New("not empty") }); err != nil {
		t.Fatal(err)
	}
}
