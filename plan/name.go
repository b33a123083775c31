package plan

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"time"
	"unicode/utf8"
)

// Request names have the form
//
//	<plan>-<job>-<yyyymmddThhmm>-<hash>
//
// where the timestamp is the window start in the job's timezone (only for windowed
// requests) and hash is the first NameHashLen hex digits of the request's Digest. The
// digest is a SHA-256 over a length-prefixed serialisation of nameFormat, the generation,
// the plan and job names, bucket, region, type, input kind and value, workflow, start, end
// and every Node field, so a name changes whenever anything the request sends changes, and
// whenever the generation is bumped. Plan and job names are reduced to [A-Za-z0-9_-] and
// cut to MaxNamePart characters, which keeps every name within MaxNameLen.
const (
	// MaxNameLen is the longest Name the service accepts.
	MaxNameLen = 128
	// MaxNamePart is the longest plan or job name kept in a request Name.
	MaxNamePart = 40
	// NameHashLen is the number of hex digits of the digest at the end of a Name.
	NameHashLen = 16

	nameFormat = "planrun/request/v1"
)

// namer computes names and digests for the requests of one job. Its buffers are reused
// from request to request; the strings it returns share nothing with them.
type namer struct {
	head    []byte // "<plan>-<job>-"
	buf     []byte // serialisation: job part, then combo part, then per-request part
	jobLen  int    // length of the per-job part of buf
	combo   int    // length of the per-(input, workflow) part of buf
	node    []byte // serialised Node fields, appended after start and end
	out     []byte // name and digest, built side by side
	windows bool   // whether names carry a timestamp
	loc     *time.Location
}

func newNamer(p *Plan, j *Job, typ string) *namer {
	n := &namer{loc: j.Timezone}
	if n.loc == nil {
		n.loc = time.UTC
	}
	n.head = appendNamePart(n.head, p.Name)
	n.head = append(n.head, '-')
	n.head = appendNamePart(n.head, j.Name)
	n.head = append(n.head, '-')

	b := appendField(nil, nameFormat)
	b = binary.BigEndian.AppendUint64(b, uint64(int64(p.Generation)))
	for _, s := range []string{p.Name, j.Name, j.Bucket, j.Region, typ} {
		b = appendField(b, s)
	}
	n.buf, n.jobLen = b, len(b)
	n.node = appendNode(nil, j.Node)
	return n
}

// setCombo fixes the input and workflow of the following requests. dup counts earlier
// identical (input, workflow) pairs of the same job, so that even duplicated entries get
// distinct names; it is serialised only when non-zero, leaving ordinary names unaffected.
func (n *namer) setCombo(kind, value, workflow string, windowed bool, dup int) {
	b := n.buf[:n.jobLen]
	b = appendField(b, kind)
	b = appendField(b, value)
	b = appendField(b, workflow)
	if dup > 0 {
		b = append(b, 'D')
		b = binary.BigEndian.AppendUint64(b, uint64(dup))
	}
	n.buf, n.combo, n.windows = b, len(b), windowed
}

// name returns the Name and Digest of the request of the current combo with the given
// rendered window (start and end empty without one). wstart is the window start, used for
// the readable timestamp and, when it has sub-second precision the rendering drops, to keep
// names of distinct windows distinct.
func (n *namer) name(start, end string, wstart, wend time.Time) (name, digest string) {
	b := n.buf[:n.combo]
	b = appendField(b, start)
	b = appendField(b, end)
	b = append(b, n.node...)
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

// appendField appends s with a length prefix, so that no two field lists serialise alike.
func appendField(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendNode serialises every field of nd; nil is distinct from any node.
func appendNode(b []byte, nd *Node) []byte {
	if nd == nil {
		return append(b, 0)
	}
	b = append(b, 1)
	for _, s := range []string{nd.Tag, nd.TemplateID, nd.QueueID, nd.Callback, nd.UserData} {
		b = appendField(b, s)
	}
	if nd.JobLevel == nil {
		b = append(b, 0)
	} else {
		b = append(b, 1)
		b = binary.BigEndian.AppendUint64(b, uint64(int64(*nd.JobLevel)))
	}
	if nd.Output == nil {
		return append(b, 0)
	}
	b = append(b, 1)
	for _, s := range []string{nd.Output.Region, nd.Output.Bucket, nd.Output.Object} {
		b = appendField(b, s)
	}
	return b
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
