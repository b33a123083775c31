package state

import (
	"bytes"
	"database/sql/driver"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/plan/request"
	"modernc.org/sqlite"
)

// The compact cells of schema version 2. Each encoder turns a Record's text into a smaller
// value when the text has the shape planrun writes and its decoder gives back exactly the
// same text; any other text is stored as it is. SQLite keeps the type of each value, so the
// decoder tells the two apart, and an encoded value never equals a stored text.

// nameAlphabet is the alphabet of request Names, in byte order: 64 characters, 6 bits each.
const nameAlphabet = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"

// nameCodes maps a byte to its place in nameAlphabet plus one (0: not in it).
var nameCodes = func() (c [256]byte) {
	for i := range len(nameAlphabet) {
		c[nameAlphabet[i]] = byte(i + 1)
	}
	return c
}()

// encodeName stores a request Name without the "<plan>-" that starts it, 6 bits a
// character: a blob of one byte, 1 + the characters' count mod 4 (which tells the padding
// from a last '-'), then the packed bits. A Name that does not start so is a blob of a 0
// and its bytes; one that starts so with other characters, the text after it. The three
// never compare equal, so (plan, name) stays a key. Every copy of the name is a key (the
// table's and the position index's), so it costs twice.
func encodeName(planName, name string) any {
	rest, ok := strings.CutPrefix(name, planName+"-")
	if !ok {
		return append([]byte{0}, name...)
	}
	b := make([]byte, 1, 1+(6*len(rest)+7)/8)
	b[0] = byte(1 + len(rest)%4)
	var acc uint32
	bits := 0
	for i := range len(rest) {
		c := nameCodes[rest[i]]
		if c == 0 {
			return rest
		}
		acc, bits = acc<<6|uint32(c-1), bits+6
		if bits >= 8 {
			bits -= 8
			b = append(b, byte(acc>>bits))
		}
	}
	if bits > 0 {
		b = append(b, byte(acc<<(8-bits)))
	}
	return b
}

// decodeName reverses encodeName.
func decodeName(planName string, v any) string {
	switch v := v.(type) {
	case string:
		return planName + "-" + v
	case []byte:
		if len(v) == 0 || v[0] == 0 || v[0] > 4 {
			return string(bytes.TrimPrefix(v, []byte{0}))
		}
		p := v[1:]
		n := len(p) * 8 / 6
		for n%4 != int(v[0]-1) {
			n--
		}
		out := make([]byte, 0, len(planName)+1+n)
		out = append(append(out, planName...), '-')
		var acc uint32
		bits := 0
		for _, c := range p {
			acc, bits = acc<<8|uint32(c), bits+8
			for bits >= 6 && len(out) < len(planName)+1+n {
				bits -= 6
				out = append(out, nameAlphabet[acc>>bits&63])
			}
		}
		return string(out)
	}
	return fmt.Sprint(v)
}

// encodeHex stores lowercase hexadecimal text (a digest) as its bytes, with prefix letters
// kept in front (a job id is "b" or "i" and 32 hex digits): prefix byte count first.
func encodeHex(s string, prefix int) any {
	if len(s) <= prefix || (len(s)-prefix)%2 != 0 {
		return s
	}
	for i := range prefix {
		if c := s[i]; c < 'a' || c > 'z' {
			return s
		}
	}
	for i := prefix; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return s // not hex, or not lowercase (which would not read back the same)
		}
	}
	b := make([]byte, prefix+(len(s)-prefix)/2)
	copy(b, s[:prefix])
	if _, err := hex.Decode(b[prefix:], []byte(s[prefix:])); err != nil {
		return s
	}
	return b
}

// decodeHex reverses encodeHex.
func decodeHex(v any, prefix int) string {
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		if len(v) < prefix {
			return string(v)
		}
		return string(v[:prefix]) + hex.EncodeToString(v[prefix:])
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// jobIDPrefix is how many letters open a job id ("b" and 32 hex digits).
const jobIDPrefix = 1

// encodeBase64 stores standard base64 text (the service's request ids) as its bytes.
func encodeBase64(s string) any {
	if s == "" {
		return s
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return s
	}
	var buf [96]byte
	if string(base64.StdEncoding.AppendEncode(buf[:0], b)) != s { // not as it reads back
		return s
	}
	return b
}

// decodeBase64 reverses encodeBase64.
func decodeBase64(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		return base64.StdEncoding.EncodeToString(v)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// offsetBits hold a time's UTC offset in minutes (biased) in encodeTime's integer.
const (
	offsetBits = 12
	offsetBias = 1 << (offsetBits - 1)
)

// encodeTime stores a time in the service's layout (ciapi.TimeFormat: a window bound, a
// job's creation time) as one integer: the Unix seconds, then the UTC offset in minutes.
func encodeTime(s string) any {
	if s == "" {
		return s
	}
	if v, ok := encodeTimeFast(s); ok {
		return v
	}
	return encodeTimeParsed(s)
}

// encodeTimeParsed is encodeTime by time.Parse and Format, without the fast path (the
// reference its tests hold the fast path to).
func encodeTimeParsed(s string) any {
	if s == "" {
		return s
	}
	t, err := time.Parse(ciapi.TimeFormat, s)
	if err != nil {
		return s
	}
	_, off := t.Zone()
	m := off / 60
	if off%60 != 0 || m <= -offsetBias || m >= offsetBias || t.Format(ciapi.TimeFormat) != s {
		return s
	}
	return t.Unix()<<offsetBits | int64(m+offsetBias)
}

// encodeWindow is encodeTime of a window bound as it is sent (request.FormatTime), without
// the text: every intent stores two.
func encodeWindow(t time.Time) any {
	var buf [32]byte
	b := request.AppendTime(buf[:0], t)
	if len(b) == 0 {
		return ""
	}
	if v, ok := encodeTimeFast(b); ok {
		return v
	}
	return encodeTime(string(b))
}

// encodeTimeFast is encodeTime of a text that has the service's layout exactly, with
// every field in range and the offset as Format writes it (a canonical text, which
// encodeTime keeps as an integer), read without time.Parse and Format (a run stores three
// times per request); ok is false for any other text, which encodeTime reads as before.
func encodeTimeFast[T string | []byte](s T) (v int64, ok bool) {
	const layout = ciapi.TimeFormat // 2006-01-02T15:04:05-0700
	if len(s) != len(layout) {
		return 0, false
	}
	for i := range len(layout) {
		c, l := s[i], layout[i]
		if l >= '0' && l <= '9' {
			if c < '0' || c > '9' {
				return 0, false
			}
		} else if c != l && !(i == 19 && c == '+') {
			return 0, false
		}
	}
	num := func(i, n int) int {
		v := 0
		for j := i; j < i+n; j++ {
			v = v*10 + int(s[j]-'0')
		}
		return v
	}
	y, mo, d, h, mi, sec := num(0, 4), num(5, 2), num(8, 2), num(11, 2), num(14, 2), num(17, 2)
	oh, om := num(20, 2), num(22, 2)
	off := oh*60 + om
	if s[19] == '-' {
		off = -off
	}
	if h > 23 || mi > 59 || sec > 59 || oh > 23 || om > 59 || (off == 0 && s[19] == '-') ||
		off <= -offsetBias || off >= offsetBias {
		return 0, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC)
	if t.Year() != y || t.Month() != time.Month(mo) || t.Day() != d { // a date Date normalised
		return 0, false
	}
	return (t.Unix()-int64(off)*60)<<offsetBits | int64(off+offsetBias), true
}

// zones are the fixed zones decodeTime made, by offset in minutes.
var zones sync.Map

// decodeTime reverses encodeTime.
func decodeTime(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int64:
		m := int(v&(1<<offsetBits-1)) - offsetBias
		z, ok := zones.Load(m)
		if !ok {
			z, _ = zones.LoadOrStore(m, time.FixedZone("", m*60))
		}
		return time.Unix(v>>offsetBits, 0).In(z.(*time.Location)).Format(ciapi.TimeFormat)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// encodeStamp stores a time of planrun's own (a row's creation and update) as Unix nanoseconds.
func encodeStamp(t time.Time) int64 { return t.UnixNano() }

// decodeStamp reads a stamp of either schema version (version 1 wrote stampFormat text).
func decodeStamp(v any) time.Time {
	switch v := v.(type) {
	case int64:
		return time.Unix(0, v).UTC()
	case string:
		t, _ := time.Parse(time.RFC3339Nano, v)
		return t
	}
	return time.Time{}
}

// words are the values of a column that repeat on every row: each is stored as its place
// in the list (a small integer), any other text as it is. Append only: the places are in
// the files.
type words []string

var (
	statusWords   = words{string(request.Planned), string(request.Sending), string(request.Triggered), string(request.Skipped), string(request.Failed)}
	jobStateWords = words{"", ciapi.StateSubmitted, ciapi.StateRunning, ciapi.StateSuccess, ciapi.StateFailed,
		ciapi.StatePause, ciapi.StateCancel}
)

// encode returns s's place in ws, or s.
func (ws words) encode(s string) any {
	for i, w := range ws {
		if w == s {
			return int64(i)
		}
	}
	return s
}

// decode reverses encode.
func (ws words) decode(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int64:
		if v >= 0 && v < int64(len(ws)) {
			return ws[v]
		}
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// The encoders as SQL functions, for the migration from schema version 1 and the joins
// with tables that keep plain text (object_counts).
func init() {
	text := func(f func(string) any) func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error) {
		return func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			s, _ := args[0].(string)
			return f(s), nil
		}
	}
	fns := map[string]func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error){
		"planrun_digest":   text(func(s string) any { return encodeHex(s, 0) }),
		"planrun_job_id":   text(func(s string) any { return encodeHex(s, jobIDPrefix) }),
		"planrun_time":     text(encodeTime),
		"planrun_base64":   text(encodeBase64),
		"planrun_status":   text(statusWords.encode),
		"planrun_jobstate": text(jobStateWords.encode),
		"planrun_stamp": text(func(s string) any {
			if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
				return encodeStamp(t)
			}
			return s
		}),
	}
	for name, f := range fns {
		if err := sqlite.RegisterDeterministicScalarFunction(name, 1, f); err != nil {
			panic(err)
		}
	}
	err := sqlite.RegisterDeterministicScalarFunction("planrun_name", 2, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		p, _ := args[0].(string)
		n, _ := args[1].(string)
		return encodeName(p, n), nil
	})
	if err != nil {
		panic(err)
	}
}
