package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/planrun/planrun/ciapi"
)

// stateVersion is the version of the saved file's layout.
const stateVersion = 1

// savedState is the JSON file of Save and Load: the batch jobs in creation order and the
// object options they were fanned out with. Executions are not saved: they are derived
// again, identically, from the jobs and the options.
type savedState struct {
	Version int           `json:"version"`
	Objects ObjectOptions `json:"objects"`
	Jobs    []savedJob    `json:"jobs"`
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

// Save writes every batch job held to path (JSON, replaced atomically).
func (s *Server) Save(path string) error {
	s.mu.Lock()
	st := savedState{Version: stateVersion, Objects: s.objs.opts, Jobs: make([]savedJob, len(s.all))}
	for i, j := range s.all {
		st.Jobs[i] = savedJob{Bucket: j.bucket, Region: j.region, ID: j.id, Request: j.req,
			Created: j.created, Canceled: j.canceled, Fails: j.fails}
	}
	s.mu.Unlock()
	data, err := json.Marshal(&st)
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
	_, werr := tmp.Write(data)
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
// (derived again with the object options saved with them). A missing file is an error
// matching fs.ErrNotExist.
func (s *Server) Load(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("load emulator state: %w", err)
	}
	var st savedState
	if err := json.Unmarshal(data, &st); err != nil {
		return fmt.Errorf("load emulator state %s: %w", path, err)
	}
	if st.Version != stateVersion {
		return fmt.Errorf("load emulator state %s: version %d, want %d", path, st.Version, stateVersion)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.all, s.byKey, s.byID = nil, map[string][]*job{}, map[string]*job{}
	s.objs = newObjectStore(st.Objects)
	for _, sj := range st.Jobs {
		t := target{bucket: sj.Bucket, region: sj.Region}
		j := &job{seq: len(s.byKey[t.key()]), bucket: sj.Bucket, region: sj.Region, id: sj.ID,
			req: sj.Request, created: sj.Created, canceled: sj.Canceled, fails: sj.Fails}
		if _, dup := s.byID[j.id]; dup {
			return fmt.Errorf("load emulator state %s: job %s twice", path, j.id)
		}
		s.all = append(s.all, j)
		s.byKey[t.key()] = append(s.byKey[t.key()], j)
		s.byID[j.id] = j
		s.register(j)
	}
	return nil
}

// loadIfPresent loads path when the file exists.
func (s *Server) loadIfPresent(path string) error {
	if err := s.Load(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
