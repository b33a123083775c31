package plan

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/planrun/planrun/plan/request"
)

// Request names have the form
//
//	<plan>-<job>-<yyyymmddThhmm>-<hash>
//
// where the timestamp is the window start in the job's timezone (only for windowed
// requests) and hash is the first NameHashLen hex digits of the request's Digest. Plan and
// job names are reduced to [A-Za-z0-9_-] and cut to MaxNamePart characters, which keeps
// every name within MaxNameLen.
//
// The digest is a SHA-256 over the canonical request: nameFormat and the generation, then
// every field of Request in declaration order except those tagged `digest:"-"` (its
// position, its Name and its Digest), walked by reflection (see canon.go). The XML body
// sent to the service is built from a Request alone, so whatever reaches the body is in
// the digest by construction: a field added to Request, Node or Output changes names
// without anyone listing it. The serialisation is the one planrun has always used, so the
// names of existing plans do not change (TestDigestMatchesFormatV1 holds it).
const (
	// MaxNameLen is the longest Name the service accepts.
	MaxNameLen = 128
	// MaxNamePart is the longest plan or job name kept in a request Name.
	MaxNamePart = 40
	// NameHashLen is the number of hex digits of the digest at the end of a Name.
	NameHashLen = request.NameHashLen

	nameFormat = "planrun/request/v1"
)

// namer computes names and digests for the requests of one job. Its buffers are reused
// from request to request; the strings it returns share nothing with them.
type namer struct {
	head    []byte // "<plan>-<job>-"
	pre     []byte // nameFormat and the generation
	buf     []byte // serialisation of the current request
	out     []byte // name and digest, built side by side
	windows bool   // whether names carry a timestamp
	dup     int    // earlier identical (input, workflow) pairs of the job
	loc     *time.Location
}

func newNamer(p *Plan, j *Job) *namer {
	n := &namer{loc: j.Timezone}
	if n.loc == nil {
		n.loc = time.UTC
	}
	n.head = appendNamePart(n.head, p.Name)
	n.head = append(n.head, '-')
	n.head = appendNamePart(n.head, j.Name)
	n.head = append(n.head, '-')
	n.pre = appendField(nil, nameFormat)
	n.pre = binary.BigEndian.AppendUint64(n.pre, uint64(int64(p.Generation)))
	return n
}

// setCombo starts the requests of one (input, workflow) pair. dup counts earlier identical
// pairs of the same job, so that even duplicated entries (which the loader refuses) get
// distinct names; it is serialised only when non-zero, leaving ordinary names unaffected.
func (n *namer) setCombo(windowed bool, dup int) {
	n.windows, n.dup = windowed, dup
}

// name returns the Name and Digest of r, whose other fields are final. wstart and wend are
// the window, used for the readable timestamp and, when they have sub-second precision
// the rendering drops, to keep names of distinct windows distinct.
func (n *namer) name(r *Request, wstart, wend time.Time) (name, digest string) {
	b := append(n.buf[:0], n.pre...)
	b = appendCanonical(b, r)
	if n.dup > 0 {
		b = append(b, 'D')
		b = binary.BigEndian.AppendUint64(b, uint64(n.dup))
	}
	if n.windows && (wstart.Nanosecond() != 0 || wend.Nanosecond() != 0) {
		b = append(b, 'N')
		b = binary.BigEndian.AppendUint64(b, uint64(wstart.UnixNano()))
		b = binary.BigEndian.AppendUint64(b, uint64(wend.UnixNano()))
	}
	n.buf = b
	sum := sha256.Sum256(b)

	o := append(n.out[:0], n.head...)
	if n.windows {
		o = appendStamp(o, wstart.In(n.loc))
		o = append(o, '-')
	}
	nameLen := len(o) + NameHashLen
	o = hex.AppendEncode(o, sum[:NameHashLen/2])
	o = hex.AppendEncode(o, sum[:])
	n.out = o
	s := string(o) // one allocation for both strings
	return s[:nameLen], s[nameLen:]
}

// appendNamePart appends s reduced to the Name alphabet [A-Za-z0-9_-] ('_' replaces any
// other character) and cut to MaxNamePart characters.
func appendNamePart(b []byte, s string) []byte {
	n := 0
	for _, r := range s {
		if n == MaxNamePart {
			break
		}
		if r >= utf8.RuneSelf || !nameChar(byte(r)) {
			r = '_'
		}
		b = append(b, byte(r))
		n++
	}
	if n == 0 {
		b = append(b, '_')
	}
	return b
}

// nameChar reports whether c may appear in a Name.
func nameChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

// appendStamp appends t as yyyymmddThhmm (wall clock of t's location).
func appendStamp(b []byte, t time.Time) []byte {
	y, mo, d := t.Date()
	hh, mm, _ := t.Clock()
	if y < 0 {
		y = 0 // the name alphabet has no sign; the digest still tells such windows apart
	}
	b = appendDigits(b, y, 4)
	b = appendDigits(b, int(mo), 2)
	b = appendDigits(b, d, 2)
	b = append(b, 'T')
	b = appendDigits(b, hh, 2)
	return appendDigits(b, mm, 2)
}

// appendDigits appends the non-negative v in decimal, zero-padded to width digits.
func appendDigits(b []byte, v, width int) []byte {
	var tmp [20]byte
	i := len(tmp)
	for v > 0 || i > len(tmp)-width {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, tmp[i:]...)
}

// AttemptName is the deterministic Name of attempt number attempt of the request named
// name (run --rerun): name itself for attempt 1 and below, else name + "-a<attempt>". A
// name too long for that keeps its last NameHashLen+1 characters (its digest) and loses
// characters of its readable part, so the result stays within MaxNameLen and distinct.
func AttemptName(name string, attempt int) string {
	if attempt <= 1 {
		return name
	}
	suffix := "-a" + strconv.Itoa(attempt)
	if len(name)+len(suffix) <= MaxNameLen {
		return name + suffix
	}
	tail := min(len(name), NameHashLen+1)
	head := name[:len(name)-tail]
	return head[:max(0, MaxNameLen-len(suffix)-tail)] + name[len(name)-tail:] + suffix
}
