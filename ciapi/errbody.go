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

// errorShaped reports whether the body of a 2xx answer is an error in disguise: an XML
// document whose root holds a non-empty Code and no JobsDetail (<Error>, or
// <Response><Code>SlowDown</Code>...), or a JSON object with a code other than 0 and no
// JobsDetail. No answer of the service that carries a result has such a root: a job's
// Code sits inside its JobsDetail. Such an answer is the error it names, whatever its
// status (see newStatusError and the classification in classify.go).
func errorShaped(body []byte) bool {
	shaped, _ := errorShapedRoot(body)
	return shaped
}

// errorShapedRoot is errorShaped that also returns, when it read body with the fast
// parser, the root that parseSimpleXML(body) returns (nil otherwise), so that a caller
// decodes the answer without parsing it again. The root's names and texts are
// substrings of body itself (see parseSimpleXMLShared): body must not change while the
// root, or anything decoded from it, is in use.
func errorShapedRoot(body []byte) (bool, *xdoc) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return false, nil
	}
	switch trimmed[0] {
	case '<':
		if !bytes.Contains(trimmed, []byte("Code")) {
			return false, nil // the cheap answer for nearly every list, describe and cancel
		}
		// The fast parser reads body itself, so that the root is parseSimpleXML(body)'s,
		// unless body holds space it does not skip (it would decline).
		var code string
		var jobs bool
		var root *xdoc
		if len(bytes.Trim(body, " \t\n")) == len(trimmed) {
			code, jobs, root = rootCodeSimple(body)
		}
		if root == nil {
			code, jobs = rootCodeXML(trimmed)
		}
		return code != "" && !jobs, root
	case '{':
		var j struct {
			Code       json.RawMessage `json:"code"`
			JobsDetail json.RawMessage `json:"JobsDetail"`
		}
		if json.Unmarshal(trimmed, &j) != nil || j.JobsDetail != nil {
			return false, nil
		}
		code := strings.TrimSpace(jsonCode(j.Code))
		return code != "" && code != "0", nil
	}
	return false, nil
}

// rootCodeSimple reads, with the fast parser, the Code directly under the root and
// whether a JobsDetail sits beside it, and returns the root it parsed; root is nil when
// the fast parser declines. The root shares b (see parseSimpleXMLShared).
func rootCodeSimple(b []byte) (code string, jobs bool, root *xdoc) {
	root, ok := parseSimpleXMLShared(b)
	if !ok {
		return "", false, nil
	}
	for c := root.first(0); c != 0; c = root.next(c) {
		switch root.name(c) {
		case "Code":
			code = strings.TrimSpace(root.text(c))
		case "JobsDetail":
			jobs = true
		}
	}
	return code, jobs, root
}

// rootCodeXML is rootCodeSimple through encoding/xml, for any well-formed document; a
// document that does not parse yields what was read before the fault.
func rootCodeXML(b []byte) (code string, jobs bool) {
	d := xml.NewDecoder(bytes.NewReader(b))
	depth, inCode := 0, false
	for {
		tok, err := d.Token()
		if err != nil {
			return strings.TrimSpace(code), jobs
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 2 {
				inCode = t.Name.Local == "Code"
				if inCode {
					code = "" // the last Code counts, as on the fast path
				}
				jobs = jobs || t.Name.Local == "JobsDetail"
			}
		case xml.EndElement:
			if depth == 2 {
				inCode = false
			}
			depth--
		case xml.CharData:
			if inCode && depth == 2 {
				code += string(t)
			}
		}
	}
}
