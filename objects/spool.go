package objects

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/planrun/planrun/executor"
)

// spoolInMemory is how many results a spool holds in memory before it writes the rest to
// a temporary file.
const spoolInMemory = 4096

// spool holds a sequence of results: the first spoolInMemory in memory, the others in a
// temporary file, so that a request with a million failed objects costs a file, not
// memory. The zero value is empty and ready.
type spool struct {
	mem []executor.ObjectResult
	f   *os.File
	bw  *bufio.Writer
	enc *json.Encoder
}

// spooled is how a result is written to the file: its DetailErr (an error, which JSON
// cannot read back) is hidden by a field of the same name that is never set.
type spooled struct {
	executor.ObjectResult
	DetailErr *struct{} `json:"DetailErr,omitempty"`
}

// add appends r.
func (s *spool) add(r executor.ObjectResult) error {
	if len(s.mem) < spoolInMemory {
		s.mem = append(s.mem, r)
		return nil
	}
	if s.f == nil {
		f, err := os.CreateTemp("", "planrun-retry-*.jsonl")
		if err != nil {
			return fmt.Errorf("spool failed objects: %w", err)
		}
		s.f, s.bw = f, bufio.NewWriter(f)
		s.enc = json.NewEncoder(s.bw)
	}
	if err := s.enc.Encode(spooled{ObjectResult: r}); err != nil {
		return fmt.Errorf("spool failed objects: %w", err)
	}
	return nil
}

// each calls fn on every result in order, then empties the spool (and removes its file).
func (s *spool) each(fn func(*executor.ObjectResult) error) (err error) {
	defer s.reset()
	for i := range s.mem {
		if err := fn(&s.mem[i]); err != nil {
			return err
		}
	}
	if s.f == nil {
		return nil
	}
	if err := s.bw.Flush(); err != nil {
		return fmt.Errorf("spool failed objects: %w", err)
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("spool failed objects: %w", err)
	}
	dec := json.NewDecoder(bufio.NewReader(s.f))
	for {
		var r spooled
		if err := dec.Decode(&r); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return fmt.Errorf("read spooled failed objects: %w", err)
		}
		if err := fn(&r.ObjectResult); err != nil {
			return err
		}
	}
}

// reset empties the spool and removes its file.
func (s *spool) reset() {
	s.mem = s.mem[:0]
	if s.f != nil {
		name := s.f.Name()
		_ = s.f.Close()
		_ = os.Remove(name)
		s.f, s.bw, s.enc = nil, nil, nil
	}
}
