package plan

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"time"
)

// retryFormat versions the digest of retry names: changing it renames every retry.
const retryFormat = "planrun/retry/v1"

// RetryName is the deterministic Name of the batch job that triggers object again through
// workflow (or node tag) for the attempt-th time (2 and up), on behalf of the plan's
// request named origin. It is at most MaxNameLen characters of [A-Za-z0-9_-]: origin
// without its digest (the plan, job and window stamp, cut if needed), "retry<attempt>",
// then NameHashLen hex digits of a SHA-256 over origin, workflow, object and attempt. The
// same inputs give the same name on every machine, so a retry is found by name like any
// request, and each (object, attempt) has a name of its own.
func RetryName(origin, workflow, object string, attempt int) string {
	b := appendField(nil, retryFormat)
	b = appendField(b, origin)
	b = appendField(b, workflow)
	b = appendField(b, object)
	b = binary.BigEndian.AppendUint64(b, uint64(int64(attempt)))
	sum := sha256.Sum256(b)
	return retryLabel(origin, "-retry"+strconv.Itoa(attempt)+"-", sum[:])
}

// retryLabel is origin's readable part (without its own digest, cut to fit, reduced to
// [A-Za-z0-9_-]), then mid, then NameHashLen hex digits of sum.
func retryLabel(origin, mid string, sum []byte) string {
	head := origin
	if i := len(head) - NameHashLen - 1; i > 0 && head[i] == '-' && isHex(head[i+1:]) {
		head = head[:i] // drop the origin's own digest: the new one covers it
	}
	var out strings.Builder
	for _, c := range []byte(head) {
		if out.Len() == MaxNameLen-len(mid)-NameHashLen {
			break
		}
		if !nameChar(c) {
			c = '_'
		}
		out.WriteByte(c)
	}
	out.WriteString(mid)
	out.WriteString(hex.EncodeToString(sum[:NameHashLen/2]))
	return out.String()
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return s != ""
}

// RetrySuffix ends the name under which the state records a plan's retries (RetryPlan):
// a plan name cannot contain '.', so it is never a plan's own.
const RetrySuffix = ".retries"

// RetryPlan is the name under which the state records the retries of plan name: apart
// from the plan's own requests, so that status and its grid show the plan as written.
func RetryPlan(name string) string { return name + RetrySuffix }

// RetryRequest is the request that triggers object again, alone, for the attempt-th time:
// origin's bucket, region, type, workflow or node operation, with the object as its input
// (no window: a single object has none), named by RetryName.
func RetryRequest(origin *Request, object string, attempt int) Request {
	r, wf := retryOf(origin, InputObject, object)
	r.Name = RetryName(origin.Name, wf, object, attempt)
	b := appendField(nil, retryFormat)
	b = appendField(b, origin.Name)
	b = binary.BigEndian.AppendUint64(b, uint64(int64(attempt)))
	b = appendCanonical(b, &r)
	sum := sha256.Sum256(b)
	r.Digest = hex.EncodeToString(sum[:])
	return r
}

// Derived returns the plan of p's retries: its requests are those src yields (each call
// of Requests calls src anew, which must yield the same requests every time, with Plan
// RetryPlan(p.Name)), its name RetryPlan(p.Name) and its generation p's. The executor
// runs, waits for and records them like any plan's. It has no jobs of its own.
func Derived(p *Plan, src iter.Seq[Request]) *Plan {
	return &Plan{Path: p.Path, Version: p.Version, Name: RetryPlan(p.Name), NamePos: p.NamePos,
		Generation: p.Generation, source: src}
}

// listRetryFormat versions the digest of URL-file retry names.
const listRetryFormat = "planrun/retry-list/v1"

// ListRetryName is the deterministic Name of the batch job that triggers again, through a
// URL file, the objects of the plan's request named origin that failed through workflow
// (or node tag) at attempt-1: part 0, 1, ... of that round when the list is split. It has
// the form of RetryName ("<origin's readable part>-retry<attempt>-[p<part>-]<digest>",
// at most MaxNameLen characters), its digest over origin, workflow, attempt and part, so
// a round of a request has the same names on every machine and after any crash.
func ListRetryName(origin, workflow string, attempt, part int) string {
	b := appendField(nil, listRetryFormat)
	b = appendField(b, origin)
	b = appendField(b, workflow)
	b = binary.BigEndian.AppendUint64(b, uint64(int64(attempt)))
	b = binary.BigEndian.AppendUint64(b, uint64(int64(part)))
	sum := sha256.Sum256(b)
	mid := "-retry" + strconv.Itoa(attempt) + "-"
	if part > 0 {
		mid += "p" + strconv.Itoa(part) + "-"
	}
	return retryLabel(origin, mid, sum[:])
}

// DefaultListPrefix is where planrun retry writes the URL files of plan name's retries
// unless --list-prefix says otherwise: "planrun-retry-lists/<plan>/".
func DefaultListPrefix(name string) string { return "planrun-retry-lists/" + name + "/" }

// ListKey is the key of the URL file of the retry batch job named name (ListRetryName)
// under prefix: "<prefix><name>.txt". Deterministic like the name, so writing it again
// after a crash replaces it with the same list.
func ListKey(prefix, name string) string { return prefix + name + ".txt" }

// ListRetryRequest is the request that triggers again, for the attempt-th time, the
// objects listed in the URL file at listURL: origin's bucket, region, type, workflow or
// node operation, with the URL file as its input (no window), named
// ListRetryName(origin.Name, workflow or tag, attempt, part).
func ListRetryRequest(origin *Request, listURL string, attempt, part int) Request {
	r, wf := retryOf(origin, InputURLFile, listURL)
	r.Name = ListRetryName(origin.Name, wf, attempt, part)
	b := appendField(nil, listRetryFormat)
	b = appendField(b, origin.Name)
	b = binary.BigEndian.AppendUint64(b, uint64(int64(attempt)))
	b = binary.BigEndian.AppendUint64(b, uint64(int64(part)))
	b = appendCanonical(b, &r)
	sum := sha256.Sum256(b)
	r.Digest = hex.EncodeToString(sum[:])
	return r
}

// ErrListPrefix reports a list prefix planrun retry may not write URL files under.
var ErrListPrefix = errors.New("unusable list prefix")

// CheckListPrefix refuses a list prefix that is empty, or that overlaps an input prefix
// of p's jobs (one starts with the other): a workflow watching that prefix could be
// triggered by the URL files themselves.
func CheckListPrefix(p *Plan, prefix string) error {
	if prefix == "" {
		return fmt.Errorf("%w: the list prefix is empty", ErrListPrefix)
	}
	for _, j := range p.Jobs {
		for _, in := range j.Prefixes {
			if strings.HasPrefix(prefix, in) || strings.HasPrefix(in, prefix) {
				return fmt.Errorf("%w: %q overlaps the input prefix %q of job %s of plan %s (a workflow may watch it)",
					ErrListPrefix, prefix, in, j.Name, p.Name)
			}
		}
	}
	return nil
}

// retryOf is origin as a retry request of the retry plan, with input kind and input (no
// window), and the workflow or node tag its name carries; the caller names it.
func retryOf(origin *Request, kind, input string) (r Request, wf string) {
	r = *origin
	r.Plan = RetryPlan(origin.Plan)
	r.InputKind, r.Input, r.Start, r.End = kind, input, time.Time{}, time.Time{}
	wf = r.Workflow
	if origin.Node != nil {
		r.Node = origin.Node.clone()
		wf = r.Node.Tag
	}
	return r, wf
}
