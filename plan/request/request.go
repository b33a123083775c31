// Package request names a request wherever planrun names one: the Key that identifies it
// (the expansion's plan.Request, the state's row, a run's result, a report row, a grid
// cell embed it, rather than copies of its fields) and the Status of what is known of it.
// It is a leaf, so that every room, the renderers included, names a request alike.
//
// One Status serves the state's rows and a run's results: a run reports a request with the
// status it leaves in the state (never Sending, which only a row on its way holds). Other
// words differ from it on purpose: a batch job's or an execution's state is the service's
// (Submitted, Running, Success, ...), a cancel's outcome is what a cancel did to one batch
// job, a grid state folds a status and a batch job's state into what a cell shows, and the
// reports call Planned "not_done" (a request the run left undone).
package request

import (
	"fmt"
	"strconv"
	"sync"
	"time"
)

// TimeLayout is the Go layout of the service's %Y-%m-%dT%H:%M:%S%z times, e.g.
// 2024-01-01T00:00:00+0800: how a window is sent, stored and printed.
const TimeLayout = "2006-01-02T15:04:05-0700"

// Key is what identifies a request: where it came from (plan, job, position), the Name
// sent to the service, and what it asks for (bucket, region, type, input, workflow,
// window). The field order and the digest tags are those of the canonical request
// (plan/canon.go): every field not tagged `digest:"-"` is part of the request's Digest, in
// this order, so keep it.
type Key struct {
	Seq       int    `digest:"-"` // 0-based position in the plan's expansion order
	Plan      string // plan name
	Job       string // plan job name
	Name      string `digest:"-"` // the deterministic batch job Name sent to the service
	Bucket    string
	Region    string
	Type      string // "Workflow" or "Job" (the service's spelling)
	InputKind string // Prefix, Manifest, UrlFile or Object (plan.InputPrefix ...)
	Input     string // the input value: prefix, manifest URL, URL file or object key
	Workflow  string // type Workflow only
	// Start and End are the upload-time window [Start, End), in the offset the request is
	// sent with (TimeLayout); both zero without a window.
	Start, End time.Time
}

// NameHashLen is the number of hex digits of the digest at the end of a request's Name
// (plan/name.go).
const NameHashLen = 16

// Attempt is the batch job attempt the Name carries (SplitAttempt): 1 for the request's
// own, N for "<name>-a<N>" (run --rerun).
func (k *Key) Attempt() int {
	_, a := SplitAttempt(k.Name)
	return a
}

// SplitAttempt reads the attempt a Name carries (see plan.AttemptName): for "<base>-a<N>",
// where base ends with "-" and NameHashLen lower-case hex digits and N is 2 or more,
// written without leading zeros, it returns base and N; for any other Name (a request's
// own, whose digest ends it), the Name itself and 1. base is the request's Name unless
// plan.AttemptName had to cut it (a Name within 3 characters of the longest), which no Name
// planrun makes today comes near.
func SplitAttempt(name string) (base string, attempt int) {
	i := len(name) - 1
	for i >= 0 && '0' <= name[i] && name[i] <= '9' {
		i--
	}
	digits := name[i+1:]
	if i < 1 || name[i] != 'a' || name[i-1] != '-' || digits == "" || digits[0] == '0' || len(digits) > 9 {
		return name, 1
	}
	base = name[:i-1]
	if len(base) < NameHashLen+2 || base[len(base)-NameHashLen-1] != '-' || !lowerHex(base[len(base)-NameHashLen:]) {
		return name, 1
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n < 2 {
		return name, 1
	}
	return base, n
}

// lowerHex reports whether s is a non-empty run of lower-case hex digits.
func lowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return s != ""
}

// Windowed reports whether the request has a window.
func (k *Key) Windowed() bool { return !k.Start.IsZero() || !k.End.IsZero() }

// StartText and EndText are the window's bounds as sent (TimeLayout), "" without a window.
func (k *Key) StartText() string { return FormatTime(k.Start) }

// EndText is the window's end as sent; see StartText.
func (k *Key) EndText() string { return FormatTime(k.End) }

// SetWindow sets the window from its bounds as sent (TimeLayout); "" is no bound.
func (k *Key) SetWindow(start, end string) error {
	s, err := ParseTime(start)
	if err != nil {
		return err
	}
	e, err := ParseTime(end)
	if err != nil {
		return err
	}
	k.Start, k.End = s, e
	return nil
}

// FormatTime renders t as the service reads it (TimeLayout); the zero time is "".
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	var buf [32]byte
	return string(AppendTime(buf[:0], t))
}

// AppendTime appends FormatTime(t) to b. Every name's digest renders two, so it writes
// the digits itself (t.AppendFormat, which reads the layout each time, for a year outside
// 0..9999).
func AppendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return b
	}
	y, mo, d := t.Date()
	if y < 0 || y > 9999 {
		return t.AppendFormat(b, TimeLayout)
	}
	hh, mm, ss := t.Clock()
	_, off := t.Zone()
	b = appendDigits(b, y, 4)
	b = appendDigits(append(b, '-'), int(mo), 2)
	b = appendDigits(append(b, '-'), d, 2)
	b = appendDigits(append(b, 'T'), hh, 2)
	b = appendDigits(append(b, ':'), mm, 2)
	b = appendDigits(append(b, ':'), ss, 2)
	zone, sign := off/60, byte('+') // minutes, as -0700 renders them
	if zone < 0 {
		zone, sign = -zone, '-'
	}
	b = appendDigits(append(b, sign), zone/60, 2)
	return appendDigits(b, zone%60, 2)
}

// appendDigits appends v (>= 0) in width decimal digits, with leading zeros.
func appendDigits(b []byte, v, width int) []byte {
	var buf [8]byte
	for i := width - 1; i >= 0; i-- {
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, buf[:width]...)
}

// ParseTime reads a time written by FormatTime ("" is the zero time). Times of one offset
// share one location, so that a million windows read back do not hold a million zones.
func ParseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if off, ok := offsetOf(s); ok { // in the shared zone at once: time.Parse would make one
		if t, err := time.ParseInLocation(TimeLayout[:19], s[:19], ZoneAt(off)); err == nil {
			return t, nil
		}
	}
	t, err := time.Parse(TimeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("window time %q: %w", s, err)
	}
	_, off := t.Zone()
	return t.In(ZoneAt(off)), nil
}

// offsetOf reads the "+hhmm" that ends a time of TimeLayout, in seconds east of UTC.
func offsetOf(s string) (int, bool) {
	if len(s) != len(TimeLayout) {
		return 0, false
	}
	z := s[19:]
	if z[0] != '+' && z[0] != '-' {
		return 0, false
	}
	n := 0
	for _, c := range []byte(z[1:]) {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	off := (n/100*60 + n%100) * 60
	if z[0] == '-' {
		off = -off
	}
	return off, n%100 < 60
}

// zones holds one *time.Location per UTC offset: time.Parse makes a new one for every
// time it reads with an offset.
var zones sync.Map // offset in seconds -> *time.Location

// ZoneAt is the shared location of the offset off (seconds east of UTC).
func ZoneAt(off int) *time.Location {
	if z, ok := zones.Load(off); ok {
		return z.(*time.Location)
	}
	z, _ := zones.LoadOrStore(off, time.FixedZone("", off))
	return z.(*time.Location)
}

// Status is what is known of a request: the status of its row in the state, and what a
// run did with it.
type Status string

// The statuses of a request.
const (
	// Planned: known but never sent (or given back unsent after an interruption); in a
	// run's results, part of the plan and not (yet) done.
	Planned Status = "planned"
	// Sending: a create may be on its way; its outcome is unknown until reconciled. Only a
	// row of the state holds it.
	Sending Status = "sending"
	// Triggered: the batch job was created by planrun (in a run's results: by this run).
	// Older versions also wrote it with no job id for a 2xx that named no job.
	Triggered Status = "triggered"
	// Skipped: already done, recorded in the state or found on the service by Name.
	Skipped Status = "skipped"
	// Failed: the last attempt failed permanently or ran out of retries; the next run
	// reconciles and retries it.
	Failed Status = "failed"
)

// Statuses lists every status, in the order `planrun status` counts them.
var Statuses = []Status{Triggered, Skipped, Failed, Sending, Planned}
