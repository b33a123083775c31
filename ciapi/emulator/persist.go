package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator/statefile"
)

// MaxStateFileSize is the largest emulator state file read (about half a million batch
// jobs); a larger one is refused before anything is read, as is anything but a regular
// file (a device such as /dev/zero, a FIFO, a folder).
const MaxStateFileSize = 256 << 20

// stateVersion is the version of the file's layout: a header line, then one line per
// change (JSON Lines). Version 1 files (one JSON document with every job) are read too, and
// grow into version 2 files by the lines appended after them.
const stateVersion = 2

// headerStart opens every state file: the header line's first field.
const headerStart = `{"version":`

// ErrStateFile is matched by the errors about an emulator state file that cannot be used:
// not a regular file, larger than MaxStateFileSize, or not an emulator file at all.
var ErrStateFile = errors.New("unusable emulator state file")

// record is one line of the state file: the header (Version and Objects, and Jobs in a
// version 1 file), a batch job created (Job) or a batch job cancelled (Cancel).
type record struct {
	Version int            `json:"version,omitempty"`
	Objects *ObjectOptions `json:"objects,omitempty"`
	Jobs    []savedJob     `json:"jobs,omitempty"`
	Job     *savedJob      `json:"job,omitempty"`
	Cancel  *savedCancel   `json:"cancel,omitempty"`
}

type savedJob struct {
	Bucket   string              `json:"bucket"`
	Region   string              `json:"region"`
	ID       string              `json:"id"`
	Request  ciapi.CreateRequest `json:"request"`
	Created  time.Time           `json:"created"`
	Canceled time.Time           `json:"canceled,omitzero"`
	Fails    bool                `json:"fails,omitempty"`
}

type savedCancel struct {
	ID string    `json:"id"`
	At time.Time `json:"at"`
}

// journal is the state file a Server shares with the other processes that use it. Every
// create and cancel is appended to it, under an exclusive lock on the file, before it is
// answered (so a process killed at any instant loses nothing it answered), after the lines
// the others appended were read; every request reads those lines first (so a job created
// or cancelled by another process is seen at once). The file is never rewritten: no
// process can save a stale copy over a newer one.
type journal struct {
	mu   sync.Mutex // serialises this process's reads and appends
	path string
	f    *os.File
	off  int64 // bytes read and applied
	line int   // lines read and applied
}

// CheckStateFile reports, without opening it, whether path can be an emulator state file:
// missing (it will be made), or a regular file (links followed) of at most
// MaxStateFileSize bytes. The error matches ErrStateFile.
func CheckStateFile(path string) error {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("emulator state %s: %w", path, err)
	}
	return checkInfo(path, info)
}

// checkInfo refuses what is not a regular file of at most MaxStateFileSize bytes.
func checkInfo(path string, info fs.FileInfo) error {
	if !info.Mode().IsRegular() {
		return fmt.Errorf("emulator state %s: %w: not a regular file but %s", path, ErrStateFile, statefile.Kind(info.Mode()))
	}
	if info.Size() > MaxStateFileSize {
		return fmt.Errorf("emulator state %s: %w: %d bytes, more than the %d MiB read at most; remove it to start afresh",
			path, ErrStateFile, info.Size(), MaxStateFileSize>>20)
	}
	return nil
}

// openState opens path with flag, never blocking (a FIFO put there after the check opens
// at once and is refused), and checks what was opened.
func openState(path string, flag int) (*os.File, error) {
	if err := CheckStateFile(path); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, flag|statefile.OpenNonblock, 0o644)
	if err != nil {
		return nil, fmt.Errorf("emulator state %s: %w", path, err)
	}
	info, err := f.Stat()
	if err == nil {
		err = checkInfo(path, info)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// loadIfPresent makes path the state file of s: what it holds is loaded, and every change
// is appended to it from now on. A missing file is made, with its folder.
func (s *Server) loadIfPresent(path string) error {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("emulator state %s: %w", path, err)
		}
	}
	f, err := openState(path, os.O_RDWR|os.O_CREATE|os.O_APPEND)
	if err != nil {
		return err
	}
	j := &journal{path: path, f: f}
	if err := statefile.Lock(f); err != nil {
		f.Close()
		return fmt.Errorf("emulator state %s: lock: %w", path, err)
	}
	defer statefile.Unlock(f)
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("emulator state %s: %w", path, err)
	}
	if info.Size() == 0 {
		s.mu.Lock()
		opts := s.objs.opts
		s.mu.Unlock()
		header, _ := json.Marshal(record{Version: stateVersion, Objects: &opts})
		if _, err := f.Write(append(header, '\n')); err != nil {
			f.Close()
			return fmt.Errorf("emulator state %s: %w", path, err)
		}
	}
	// With the file locked nobody writes: a last line without its line break is a version
	// 1 file or a line cut short by a kill. It is read as it is, then ended, so that the
	// next line starts on its own.
	tail, err := j.readAll(s, true)
	if err != nil {
		f.Close()
		return err
	}
	if tail {
		if _, err := f.Write([]byte{'\n'}); err != nil {
			f.Close()
			return fmt.Errorf("emulator state %s: %w", path, err)
		}
		j.off++
	}
	s.mu.Lock()
	s.journal = j
	s.mu.Unlock()
	return nil
}

// read applies the lines appended since the last read (by any process). A last line
// without its line break is being written: it is left for the next read. j.mu must be
// held.
func (j *journal) read(s *Server) error {
	_, err := j.readAll(s, false)
	return err
}

// MaxLine bounds every line of a state file (and, in a version 1 file, every job of its
// header): a create body is at most 1 MiB, so a longer line is no line the emulator wrote.
const MaxLine = 8 << 20

// readAll is read; with last set, a last line without its line break is read too (the
// caller holds the file's lock), and tail reports it. No read buffers more than about
// MaxLine bytes: a longer line is refused, naming it.
func (j *journal) readAll(s *Server, last bool) (tail bool, err error) {
	info, err := j.f.Stat()
	if err != nil {
		return false, fmt.Errorf("emulator state %s: %w", j.path, err)
	}
	if err := checkInfo(j.path, info); err != nil {
		return false, err
	}
	if info.Size() <= j.off {
		return false, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if j.off == 0 {
		if tail, err = j.readHeader(s, info.Size()); err != nil || tail || j.off >= info.Size() {
			return tail, err
		}
	}
	lr := statefile.NewReader(io.NewSectionReader(j.f, j.off, info.Size()-j.off), MaxLine, j.line)
	for {
		line, broken, err := lr.Next()
		if errors.Is(err, io.EOF) || (err == nil && !broken && !last) {
			return tail, nil // the end, or a last line being written: left for the next read
		}
		if err != nil {
			return false, fmt.Errorf("emulator state %s: %w: %w", j.path, ErrStateFile, err)
		}
		j.off, j.line, tail = j.off+int64(len(line)), lr.Line(), !broken
		if broken {
			j.off++
		}
		var rec record
		if json.Unmarshal(line, &rec) != nil {
			continue // a line cut short by a kill, ended by the next process
		}
		if rec.Job != nil {
			s.addSaved(*rec.Job)
		}
		if rec.Cancel != nil {
			if jb := s.byID[rec.Cancel.ID]; jb != nil && jb.canceled.IsZero() {
				jb.canceled = rec.Cancel.At
			}
		}
	}
}

// readHeader reads the header of the file (line 1), decoding it as a stream so that the
// every job of a version 1 header is bounded by MaxLine, not the header; tail reports a
// header that ends the file without a line break. s.mu must be held.
func (j *journal) readHeader(s *Server, size int64) (tail bool, err error) {
	bad := fmt.Errorf("emulator state %s: %w: no emulator header (remove it to start afresh)", j.path, ErrStateFile)
	// Every state file starts so (the header's first field): anything else is refused
	// before a byte more is read.
	head := make([]byte, len(headerStart))
	if _, err := j.f.ReadAt(head, 0); err != nil || string(head) != headerStart {
		return false, bad
	}
	b := &statefile.Budget{R: io.NewSectionReader(j.f, 0, size), Max: MaxLine}
	b.Reset()
	dec := json.NewDecoder(b)
	var rec record
	delim := func(want json.Delim) bool { t, err := dec.Token(); return err == nil && t == want }
	if !delim('{') {
		return false, bad
	}
	for dec.More() {
		b.Reset()
		key, err := dec.Token()
		switch {
		case err != nil:
		case key == "jobs" && rec.Objects != nil:
			if !delim('[') {
				return false, bad
			}
			for err == nil && dec.More() {
				b.Reset()
				var sj savedJob
				if err = dec.Decode(&sj); err == nil {
					s.addSaved(sj)
				}
			}
			if err == nil && !delim(']') {
				return false, bad
			}
		case key == "version":
			err = dec.Decode(&rec.Version)
		case key == "objects" && rec.Version >= 1 && rec.Version <= stateVersion:
			if err = dec.Decode(&rec.Objects); err == nil && rec.Objects != nil {
				s.objs = newObjectStore(*rec.Objects)
			}
		default:
			return false, bad
		}
		if errors.Is(err, statefile.ErrTooLong) {
			return false, fmt.Errorf("emulator state %s: %w: line 1: %w", j.path, ErrStateFile, err)
		}
		if err != nil {
			return false, bad
		}
	}
	if !delim('}') || rec.Objects == nil {
		return false, bad
	}
	end := dec.InputOffset()
	next := make([]byte, 1)
	if n, _ := j.f.ReadAt(next, end); n == 1 && next[0] != '\n' {
		return false, bad
	} else if n == 1 {
		end++
	}
	j.off, j.line = end, 1
	return end == size && next[0] != '\n', nil
}

// addSaved adds a saved batch job (once: a job id seen before is ignored); s.mu must be
// held.
func (s *Server) addSaved(sj savedJob) {
	if _, dup := s.byID[sj.ID]; dup {
		return
	}
	t := target{bucket: sj.Bucket, region: sj.Region}
	j := &job{seq: len(s.byKey[t.key()]), bucket: sj.Bucket, region: sj.Region, id: sj.ID,
		req: sj.Request, created: sj.Created, canceled: sj.Canceled, fails: sj.Fails}
	s.all = append(s.all, j)
	s.byKey[t.key()] = append(s.byKey[t.key()], j)
	s.byID[j.id] = j
	s.register(j)
}

// stateError is the answer to a request that the state file kept from being done.
func stateError(err error) *apiError {
	return errorf(http.StatusInternalServerError, "InternalError", "emulator state file: %v", err)
}

// refresh reads what other processes appended to the state file, before a request is
// answered; without a state file it does nothing.
func (s *Server) refresh() *apiError {
	j := s.currentJournal()
	if j == nil {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.read(s); err != nil {
		return stateError(err)
	}
	return nil
}

// currentJournal returns the state file of s, nil when it has none.
func (s *Server) currentJournal() *journal {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.journal
}

// journalLock holds the state file for one change: exclusively locked, with what other
// processes appended read. release undoes it. Without a state file both do nothing.
func (s *Server) journalLock() (release func(), e *apiError) {
	j := s.currentJournal()
	if j == nil {
		return func() {}, nil
	}
	j.mu.Lock()
	if err := statefile.Lock(j.f); err != nil {
		j.mu.Unlock()
		return nil, stateError(err)
	}
	release = func() { statefile.Unlock(j.f); j.mu.Unlock() }
	if err := j.read(s); err != nil {
		release()
		return nil, stateError(err)
	}
	return release, nil
}

// journalAppend appends rec to the state file, under journalLock; s.mu may be held. A
// line written in part (a full disk) is cut off again.
func (s *Server) journalAppend(rec record) *apiError {
	j := s.journal
	if j == nil {
		return nil
	}
	line, err := json.Marshal(rec)
	if err != nil {
		return stateError(err)
	}
	line = append(line, '\n')
	if _, err := j.f.Write(line); err != nil {
		_ = j.f.Truncate(j.off)
		return stateError(err)
	}
	j.off += int64(len(line))
	return nil
}

// journalJob records the creation of jb; s.mu must be held, under journalLock.
func (s *Server) journalJob(jb *job) *apiError {
	return s.journalAppend(record{Job: &savedJob{Bucket: jb.bucket, Region: jb.region, ID: jb.id, Request: jb.req,
		Created: jb.created, Fails: jb.fails}})
}

// journalCancel records the cancel of jb at; s.mu must be held, under journalLock.
func (s *Server) journalCancel(jb *job, at time.Time) *apiError {
	return s.journalAppend(record{Cancel: &savedCancel{ID: jb.id, At: at}})
}

// Save writes every batch job held to path (replaced atomically), in the layout Load
// reads. When path is the server's own state file there is nothing to write: every change
// is there already.
func (s *Server) Save(path string) error {
	if j := s.currentJournal(); j != nil {
		if a, err := os.Stat(path); err == nil {
			if b, err := j.f.Stat(); err == nil && os.SameFile(a, b) {
				return nil
			}
		}
	}
	var buf bytes.Buffer
	s.mu.Lock()
	opts := s.objs.opts
	enc := json.NewEncoder(&buf)
	err := enc.Encode(record{Version: stateVersion, Objects: &opts})
	for _, j := range s.all {
		if err != nil {
			break
		}
		err = enc.Encode(record{Job: &savedJob{Bucket: j.bucket, Region: j.region, ID: j.id, Request: j.req,
			Created: j.created, Canceled: j.canceled, Fails: j.fails}})
	}
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("save emulator state: %w", err)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("save emulator state: %w", err)
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("save emulator state: %w", err)
	}
	_, werr := tmp.Write(buf.Bytes())
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("save emulator state: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("save emulator state: %w", err)
	}
	return nil
}

// Load replaces what s holds by the batch jobs saved at path, and their executions
// (derived again with the object options saved with them). It reads a regular file of at
// most MaxStateFileSize bytes only. A missing file is an error matching fs.ErrNotExist.
func (s *Server) Load(path string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("load emulator state: %w", err)
	}
	f, err := openState(path, os.O_RDONLY)
	if err != nil {
		return fmt.Errorf("load emulator state: %w", err)
	}
	defer f.Close()
	s.mu.Lock()
	s.all, s.byKey, s.byID = nil, map[string][]*job{}, map[string]*job{}
	s.mu.Unlock()
	j := &journal{path: path, f: f}
	if _, err := j.readAll(s, true); err != nil {
		return fmt.Errorf("load emulator state: %w", err)
	}
	return nil
}
