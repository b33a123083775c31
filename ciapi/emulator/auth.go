package emulator

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/planrun/planrun/ciapi"
)

// authFields are the seven pairs of an Authorization header.
var authFields = []string{"q-sign-algorithm", "q-ak", "q-sign-time", "q-key-time",
	"q-header-list", "q-url-param-list", "q-signature"}

// tokenHeaders carry the session token of temporary credentials; both are accepted on ci
// hosts. Their values are redacted from every answer.
var tokenHeaders = []string{"x-cos-security-token", "x-ci-security-token"}

// parseAuthorization splits the header into its seven q-* pairs.
func parseAuthorization(h string) (map[string]string, *apiError) {
	bad := func(format string, args ...any) *apiError {
		return errorf(http.StatusUnauthorized, "InvalidAuthorization", "Authorization: "+format, args...)
	}
	pairs := map[string]string{}
	for part := range strings.SplitSeq(h, "&") {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return nil, bad("%q is not a key=value pair", truncate(part, 40))
		}
		if !slices.Contains(authFields, k) {
			return nil, bad("unknown field %q", truncate(k, 40))
		}
		if _, dup := pairs[k]; dup {
			return nil, bad("field %s appears twice", k)
		}
		pairs[k] = v
	}
	for _, k := range authFields {
		if _, ok := pairs[k]; !ok {
			return nil, bad("field %s is missing", k)
		}
	}
	if a := pairs["q-sign-algorithm"]; a != "sha1" {
		return nil, bad("q-sign-algorithm must be sha1, not %q", truncate(a, 20))
	}
	if pairs["q-sign-time"] != pairs["q-key-time"] {
		return nil, bad("q-sign-time and q-key-time differ")
	}
	return pairs, nil
}

// parseWindow parses "start;end" Unix seconds.
func parseWindow(s string) (start, end time.Time, ok bool) {
	a, b, found := strings.Cut(s, ";")
	x, err1 := strconv.ParseInt(a, 10, 64)
	y, err2 := strconv.ParseInt(b, 10, 64)
	if !found || err1 != nil || err2 != nil || x > y {
		return time.Time{}, time.Time{}, false
	}
	return time.Unix(x, 0), time.Unix(y, 0), true
}

// authenticate verifies the signature of r as docs/service-api.md ("The signature") describes.
func (s *Server) authenticate(r *http.Request) *apiError {
	h := r.Header.Get("Authorization")
	if h == "" {
		return errorf(http.StatusUnauthorized, "MissingAuthorization", "the Authorization header is missing")
	}
	pairs, aerr := parseAuthorization(h)
	if aerr != nil {
		return aerr
	}
	ak := pairs["q-ak"]
	secret, ok := s.creds[ak]
	if !ok {
		return errorf(http.StatusForbidden, "InvalidAccessKeyId", "The Access Key Id you provided does not exist in our records.")
	}
	start, end, ok := parseWindow(pairs["q-sign-time"])
	if !ok {
		return errorf(http.StatusUnauthorized, "InvalidAuthorization", "Authorization: q-sign-time must be <start>;<end> in Unix seconds, start <= end")
	}
	now := s.now()
	if start.After(now.Add(s.maxSkew)) {
		return errorf(http.StatusForbidden, "RequestTimeTooSkewed", "The difference between the request time and the server's time is too large.")
	}
	if end.Before(now.Add(-s.maxSkew)) {
		return errorf(http.StatusForbidden, "AccessDenied", "Request has expired")
	}
	headerList := splitList(pairs["q-header-list"])
	if !slices.Contains(headerList, "host") {
		return errorf(http.StatusForbidden, "AccessDenied", "the host header must be signed (q-header-list)")
	}
	c := canonical(r, headerList, splitList(pairs["q-url-param-list"]))
	keyTime := pairs["q-key-time"]
	want := c.Signature(secret, keyTime)
	if subtle.ConstantTimeCompare([]byte(want), []byte(pairs["q-signature"])) != 1 {
		e := errorf(http.StatusForbidden, "SignatureDoesNotMatch", "The Signature you specified is invalid.")
		e.stringToSign = c.StringToSign(keyTime)
		e.formatString = redactTokens(c).FormatString()
		return e
	}
	if want, ok := s.opts.Tokens[ak]; ok {
		got := r.Header.Get(tokenHeaders[0])
		if got == "" {
			got = r.Header.Get(tokenHeaders[1])
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
			return errorf(http.StatusForbidden, "InvalidAccessKeyId",
				"the security token of these temporary credentials is missing or invalid (x-cos-security-token or x-ci-security-token)")
		}
	}
	return nil
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return slices.Compact(slices.Sorted(slices.Values(strings.Split(s, ";"))))
}

// canonical rebuilds what the client signed: exactly the listed headers and parameters; a
// listed one that is absent counts as empty. Host comes from r.Host, port included.
func canonical(r *http.Request, headerList, paramList []string) *ciapi.Canonical {
	c := &ciapi.Canonical{Method: r.Method, Path: r.URL.Path}
	if c.Path == "" {
		c.Path = "/"
	}
	query, _ := url.ParseQuery(r.URL.RawQuery)
	for _, name := range paramList {
		c.Params = append(c.Params, values(name, query)...)
	}
	for _, name := range headerList {
		if name == "host" {
			c.Headers = append(c.Headers, ciapi.KV{Key: "host", Value: ciapi.Encode(r.Host)})
			continue
		}
		if name == "transfer-encoding" && len(r.TransferEncoding) > 0 && r.Header.Get(name) == "" {
			// net/http moves this header out of r.Header into r.TransferEncoding.
			v := strings.Join(r.TransferEncoding, ", ")
			c.Headers = append(c.Headers, ciapi.KV{Key: name, Value: ciapi.Encode(v)})
			continue
		}
		c.Headers = append(c.Headers, values(name, r.Header)...)
	}
	return c
}

// values returns the encoded pairs of every entry of m whose encoded, lower-cased key is
// name, or one empty pair when there is none.
func values(name string, m map[string][]string) []ciapi.KV {
	var out []ciapi.KV
	for k, vs := range m {
		if strings.ToLower(ciapi.Encode(k)) != name {
			continue
		}
		for _, v := range vs {
			out = append(out, ciapi.KV{Key: name, Value: ciapi.Encode(v)})
		}
	}
	if len(out) == 0 {
		out = append(out, ciapi.KV{Key: name})
	}
	return out
}

// redactTokens returns a copy of c whose session-token values are hidden, for error bodies.
func redactTokens(c *ciapi.Canonical) *ciapi.Canonical {
	out := *c
	out.Headers = slices.Clone(c.Headers)
	for i, kv := range out.Headers {
		if slices.Contains(tokenHeaders, kv.Key) && kv.Value != "" {
			out.Headers[i].Value = "REDACTED"
		}
	}
	return &out
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
