package ciapi

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxRetryAfter bounds the wait a Retry-After header can ask for.
const maxRetryAfter = 5 * time.Minute

// maxMessage bounds the text kept from a non-XML, non-JSON error body.
const maxMessage = 256

// xmlErrorBody decodes the <Error> document, and tolerates another root element.
type xmlErrorBody struct {
	Code      string `xml:"Code"`
	Message   string `xml:"Message"`
	RequestId string `xml:"RequestId"`
	TraceId   string `xml:"TraceId"`
}

// jsonErrorBody is the JSON error form {"code":..,"message":..,"request_id":..}.
type jsonErrorBody struct {
	Code       json.RawMessage `json:"code"`
	Message    string          `json:"message"`
	RequestID  string          `json:"request_id"`
	RequestID2 string          `json:"RequestId"`
}

// newStatusError builds the APIError of a non-2xx response with body. now is the local
// time, used to turn a Retry-After date into a wait.
func newStatusError(op string, status int, h http.Header, body []byte, now time.Time) *APIError {
	e := &APIError{Op: op, Status: status, Sent: true}
	trimmed := bytes.TrimSpace(body)
	switch {
	case len(trimmed) > 0 && trimmed[0] == '<':
		var x xmlErrorBody
		if xml.Unmarshal(trimmed, &x) == nil && (x.Code != "" || x.Message != "") {
			e.Code, e.Message, e.RequestID, e.TraceID = x.Code, x.Message, x.RequestId, x.TraceId
		} else {
			e.Message = snippet(trimmed)
		}
	case len(trimmed) > 0 && trimmed[0] == '{':
		var j jsonErrorBody
		if json.Unmarshal(trimmed, &j) == nil {
			e.Code = jsonCode(j.Code)
			e.Message = j.Message
			e.RequestID = j.RequestID
			if e.RequestID == "" {
				e.RequestID = j.RequestID2
			}
		} else {
			e.Message = snippet(trimmed)
		}
	default:
		e.Message = snippet(trimmed)
	}
	e.Code, e.Message = strings.TrimSpace(e.Code), strings.TrimSpace(e.Message)
	if e.RequestID == "" {
		e.RequestID = h.Get("x-ci-request-id")
	}
	if e.RequestID == "" {
		e.RequestID = h.Get("x-cos-request-id")
	}
	if e.TraceID == "" {
		e.TraceID = h.Get("x-ci-trace-id")
	}
	e.RetryAfter = parseRetryAfter(h.Get("Retry-After"), now)
	return e
}

// jsonCode renders a JSON code that may be a string or a number.
func jsonCode(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// snippet returns the start of a body as one line of valid UTF-8.
func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > maxMessage {
		s = s[:maxMessage]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		s += "..."
	}
	return strings.ToValidUTF8(s, "?")
}

// parseRetryAfter reads a Retry-After value in seconds or as an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		if n > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return min(d, maxRetryAfter)
		}
	}
	return 0
}

// redactError removes the credentials' secrets from every text field of e.
func (c Credentials) redactError(e *APIError) *APIError {
	e.Code, e.Message = c.redact(e.Code), c.redact(e.Message)
	e.RequestID, e.TraceID = c.redact(e.RequestID), c.redact(e.TraceID)
	if e.Err != nil {
		if s := e.Err.Error(); c.redact(s) != s {
			e.Err = errors.New(c.redact(s)) // a secret in a transport error: keep only the text
		}
	}
	return e
}
