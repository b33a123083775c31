package emulator

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"time"
)

// ids returns a fresh request id (base64 like the service's) and trace id.
func (s *Server) ids() (requestID, traceID string) {
	s.mu.Lock()
	a, b, c := s.rng.Uint32(), s.rng.Uint32(), s.rng.Uint64()
	s.mu.Unlock()
	raw := fmt.Sprintf("%08x_%08x_%04x_%x", time.Now().Unix(), a, b&0xffff, b>>16)
	return base64.StdEncoding.EncodeToString([]byte(raw)), fmt.Sprintf("%016x%08x", c, a)
}

// newJobID returns "b" + 32 hex digits; s.mu must be held.
func (s *Server) newJobID() string {
	var raw [16]byte
	for {
		for i := range raw {
			raw[i] = byte(s.rng.Uint32())
		}
		id := "b" + hex.EncodeToString(raw[:])
		if _, taken := s.byID[id]; !taken {
			return id
		}
	}
}

// fails decides, deterministically from the seed and the job id, whether a job ends Failed.
func fails(seed int64, id string, rate float64) bool {
	if rate <= 0 {
		return false
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%s", seed, id)
	return float64(h.Sum64()>>11)/float64(1<<53) < rate
}

func md5Base64(b []byte) string {
	sum := md5.Sum(b)
	return base64.StdEncoding.EncodeToString(sum[:])
}
