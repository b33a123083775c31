package plan

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/planrun/planrun/schema"
)

// validator compiles the plan schema once, on first use.
var validator = sync.OnceValues(schema.New)

// Load reads and parses the plan file at path. A file that cannot be read gives an
// ordinary wrapped error; an invalid plan gives Problems (use errors.As). Files larger
// than 8 MiB are refused without being read.
func Load(path string) (*Plan, error) {
	// Look before opening: opening a FIFO blocks until a writer comes.
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("read plan %s: %w", path, ErrIsDir)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("read plan %s: %w", path, ErrNotRegular)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	defer f.Close()
	if st, err = f.Stat(); err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	if st.Size() > maxPlanBytes {
		return nil, tooLarge(path, st.Size())
	}
	data, err := readAll(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("read plan %s: %w", path, err)
	}
	return Parse(path, data)
}

// readAll reads f, of size bytes when it was stat'ed, into one buffer of that size (and
// room to see the end) instead of growing one; a file that grew since is still read to
// the end, up to the limit.
func readAll(f io.Reader, size int64) ([]byte, error) {
	buf := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead))
	_, err := buf.ReadFrom(io.LimitReader(f, maxPlanBytes+1))
	return buf.Bytes(), err
}

// ErrIsDir is returned (wrapped) by Load for a directory; see Discover.
var ErrIsDir = errors.New("is a directory")

// ErrNotRegular is returned (wrapped) by Load for a FIFO, a device or a socket.
var ErrNotRegular = errors.New("not a regular file")

// tooLarge is the problem of a file over the size limit.
func tooLarge(path string, size int64) Problems {
	return Problems{{File: path, Line: 1, Col: 1, Message: fmt.Sprintf(
		"plan file is too large (%d bytes): planrun reads plans of at most 8 MiB", size)}}
}

// Parse parses data as the plan file path (used only in messages and Plan.Path). It
// returns the plan with defaults applied, or Problems listing everything wrong with it:
// YAML syntax, schema violations and semantic checks, sorted by position.
func Parse(path string, data []byte) (*Plan, error) {
	if len(data) > maxPlanBytes {
		return nil, tooLarge(path, int64(len(data)))
	}
	v, err := validator()
	if err != nil {
		return nil, fmt.Errorf("load plan schema: %w", err)
	}
	root, probs := parseDocument(path, data)
	if root == nil {
		return nil, probs.normalize()
	}
	l := &loader{file: path, root: root, probs: probs, skip: map[string]bool{}}
	p := l.run(v)
	if len(l.probs) > 0 {
		return nil, l.probs.normalize()
	}
	p.Warnings = l.warnings.normalize()
	return p, nil
}
