package ciapi

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// Canonical is the canonical form of a request that the COS q-sign-algorithm=sha1 signature
// covers: the lower-cased method, the decoded path, and the chosen parameters and headers,
// each encoded and sorted. Both the client (signing) and the emulator (verifying) build it.
type Canonical struct {
	Method     string
	Path       string // decoded path, e.g. "/exampleobject(腾讯云)"
	Params     []KV   // lower-cased encoded key, encoded value; sorted
	Headers    []KV   // lower-cased encoded key, encoded value; sorted
	ParamList  []string
	HeaderList []string
}

// KV is one encoded key=value pair of the canonical form.
type KV struct{ Key, Value string }

// Encode percent-encodes s as the COS signature requires: UTF-8, upper-case hex, and only
// A-Z a-z 0-9 - _ . ~ left as they are (a space becomes %20, never +).
func Encode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// encodePairs sorts pairs as the official SDK does (by encoded key, then by the decoded
// value: a repeated key's values are sorted before encoding) and joins them.
func encodePairs(pairs []KV) (list []string, joined string) {
	sort.SliceStable(pairs, func(i, j int) bool {
		if pairs[i].Key != pairs[j].Key {
			return pairs[i].Key < pairs[j].Key
		}
		return decoded(pairs[i].Value) < decoded(pairs[j].Value)
	})
	parts := make([]string, len(pairs))
	list = make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = p.Key + "=" + p.Value
		list[i] = p.Key
	}
	return list, strings.Join(parts, "&")
}

// FormatString returns the HttpString (the "FormatString" of COS error bodies) of c.
func (c *Canonical) FormatString() string {
	_, params := encodePairs(c.Params)
	_, headers := encodePairs(c.Headers)
	return strings.ToLower(c.Method) + "\n" + c.Path + "\n" + params + "\n" + headers + "\n"
}

// StringToSign returns "sha1\n<keyTime>\n<sha1 hex of FormatString>\n".
func (c *Canonical) StringToSign(keyTime string) string {
	sum := sha1.Sum([]byte(c.FormatString()))
	return "sha1\n" + keyTime + "\n" + hex.EncodeToString(sum[:]) + "\n"
}

// Signature computes the q-signature of c with secretKey over keyTime ("start;end").
func (c *Canonical) Signature(secretKey, keyTime string) string {
	signKey := hmacHex([]byte(secretKey), keyTime)
	return hmacHex([]byte(signKey), c.StringToSign(keyTime))
}

// decoded undoes Encode (or any percent-encoding); a malformed value is compared as is.
func decoded(v string) string {
	if !strings.Contains(v, "%") {
		return v
	}
	d, err := url.PathUnescape(v)
	if err != nil {
		return v
	}
	return d
}

func hmacHex(key []byte, msg string) string {
	m := hmac.New(sha1.New, key)
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

// Authorization renders the Authorization header value for c.
func (c *Canonical) Authorization(secretID, secretKey, keyTime string) string {
	hl, _ := encodePairs(c.Headers)
	pl, _ := encodePairs(c.Params)
	return "q-sign-algorithm=sha1&q-ak=" + secretID +
		"&q-sign-time=" + keyTime + "&q-key-time=" + keyTime +
		"&q-header-list=" + strings.Join(hl, ";") +
		"&q-url-param-list=" + strings.Join(pl, ";") +
		"&q-signature=" + c.Signature(secretKey, keyTime)
}

// signedHeader reports whether a (lower-case) header name is one the client signs: the
// standard set of the official SDK plus every x-cos-* and x-ci-* header.
func signedHeader(name string) bool {
	switch name {
	case "host", "range", "cache-control", "content-disposition", "content-encoding",
		"content-type", "content-length", "content-md5", "transfer-encoding", "expect",
		"expires", "if-match", "if-modified-since", "if-none-match", "if-unmodified-since",
		"origin", "access-control-request-method", "access-control-request-headers",
		"pic-operations":
		return true
	}
	return strings.HasPrefix(name, "x-cos-") || strings.HasPrefix(name, "x-ci-")
}

// CanonicalFor builds the canonical form a client signs for req: every query parameter
// (form-decoded, so "+" means space), host, and every header of the signed set.
// The Host header is taken from req.Host (or req.URL.Host), port included.
func CanonicalFor(req *http.Request) *Canonical {
	c := &Canonical{Method: req.Method, Path: req.URL.Path}
	if c.Path == "" {
		c.Path = "/"
	}
	q, _ := url.ParseQuery(req.URL.RawQuery)
	for k, vs := range q {
		for _, v := range vs {
			c.Params = append(c.Params, KV{strings.ToLower(Encode(k)), Encode(v)})
		}
	}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	c.Headers = append(c.Headers, KV{"host", Encode(host)})
	for k, vs := range req.Header {
		lk := strings.ToLower(k)
		if lk == "host" || !signedHeader(lk) {
			continue
		}
		for _, v := range vs {
			c.Headers = append(c.Headers, KV{strings.ToLower(Encode(k)), Encode(v)})
		}
	}
	c.ParamList, _ = encodePairs(c.Params)
	c.HeaderList, _ = encodePairs(c.Headers)
	return c
}
