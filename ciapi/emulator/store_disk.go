package emulator

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// The objects PUT into an emulator with a state file (Options.StateFile) are also kept on
// disk, one file each in the folder <StateFile>.objects, written when PUT (temporary file
// and rename), so that the next process sees them: a URL-file batch job created by one
// `planrun retry --emulator` still runs the keys its file lists when a later `planrun
// results --emulator` loads it. The folder is read lazily, regular files only, at most
// MaxObjectSize bytes each.

// objectsDir is the folder of the objects kept on disk; "" without a state file.
func (s *Server) objectsDir() string {
	if s.opts.StateFile == "" {
		return ""
	}
	return s.opts.StateFile + ".objects"
}

// blobFile is the file of an object in dir.
func blobFile(dir, k string) string {
	sum := sha256.Sum256([]byte(k))
	return filepath.Join(dir, hex.EncodeToString(sum[:]))
}

// saveBlob keeps body on disk under k (blobKey); nothing without a state file.
func (s *Server) saveBlob(k string, body []byte) error {
	dir := s.objectsDir()
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("keep object: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".put-*")
	if err != nil {
		return fmt.Errorf("keep object: %w", err)
	}
	_, werr := tmp.Write(body)
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), blobFile(dir, k))
	}
	if werr != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("keep object: %w", werr)
	}
	return nil
}

// loadBlob reads the object k (blobKey) kept on disk by this or an earlier process.
func (s *Server) loadBlob(k string) ([]byte, bool) {
	dir := s.objectsDir()
	if dir == "" {
		return nil, false
	}
	name := blobFile(dir, k)
	if fi, err := os.Lstat(name); err != nil || !fi.Mode().IsRegular() {
		return nil, false
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxObjectSize+1))
	if err != nil || len(b) > MaxObjectSize {
		return nil, false
	}
	return b, true
}
