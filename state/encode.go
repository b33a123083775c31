package state

import (
	"database/sql/driver"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/planrun/planrun/ciapi"
	"modernc.org/sqlite"
)

// The compact cells of schema version 2. Each encoder turns a Record's text into a smaller
// value when the text has the shape planrun writes and its decoder gives back exactly the
// same text; any other text is stored as it is. SQLite keeps the type of each value, so the
// decoder tells the two apart, and an encoded value never equals a stored text.

// encodeName stores a request Name without the "<plan>-" that starts it (text), or whole
// (a blob) when it does not start so. The two never compare equal, so (plan, name) stays
// a key.
func encodeName(planName, name string) any {
	if rest, ok := strings.CutPrefix(name, planName+"-"); ok {
		return rest
	}
	return []byte(name)
}

// decodeName reverses encodeName.
func decodeName(planName string, v any) string {
	switch v := v.(type) {
	case string:
		return planName + "-" + v
	case []byte:
		return string(v)
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
	b := make([]byte, prefix+(len(s)-prefix)/2)
	copy(b, s[:prefix])
	if _, err := hex.Decode(b[prefix:], []byte(s[prefix:])); err != nil || hex.EncodeToString(b[prefix:]) != s[prefix:] {
		return s // not hex, or not lowercase
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
	if err != nil || base64.StdEncoding.EncodeToString(b) != s {
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
	statusWords   = words{string(RowPlanned), string(RowSending), string(RowTriggered), string(RowSkipped), string(RowFailed)}
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
