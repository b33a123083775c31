package state

import (
	"errors"
	"path/filepath"
	"testing"
)

func TestLockRefusesASecondHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	a := openStore(t, path)
	if err := a.Lock(); err != nil {
		t.Fatal(err)
	}
	b := openStore(t, path)
	err := b.Lock()
	if !errors.Is(err, ErrStateInUse) {
		t.Fatalf("second Lock: %v, want ErrStateInUse", err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Lock(); err != nil {
		t.Fatalf("Lock after the holder closed: %v", err)
	}
}
