package ciapi

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"hash"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
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
	clean := 0
	for clean < len(s) && unreserved(s[clean]) {
		clean++
	}
	if clean == len(s) {
		return s // nothing to escape (the usual case): no copy
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:clean])
	for i := clean; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// unreserved reports whether Encode leaves c as it is.
func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// sortPairs sorts pairs in place as the official SDK does: by encoded key, then by the
// decoded value (a repeated key's values are sorted before encoding).
func sortPairs(pairs []KV) {
	slices.SortStableFunc(pairs, func(a, b KV) int {
		if c := strings.Compare(a.Key, b.Key); c != 0 {
			return c
		}
		return strings.Compare(decoded(a.Value), decoded(b.Value))
	})
}

// encodePairs sorts pairs as the official SDK does (by encoded key, then by the decoded
// value: a repeated key's values are sorted before encoding) and joins them.
func encodePairs(pairs []KV) (list []string, joined string) {
	sortPairs(pairs)
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
	return string(c.appendFormat(nil))
}

// appendFormat sorts the parameters and headers of c in place and appends its
// FormatString to b.
func (c *Canonical) appendFormat(b []byte) []byte {
	sortPairs(c.Params)
	sortPairs(c.Headers)
	for i := 0; i < len(c.Method); i++ {
		ch := c.Method[i]
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		b = append(b, ch)
	}
	b = append(b, '\n')
	b = append(b, c.Path...)
	b = append(b, '\n')
	b = appendPairs(b, c.Params)
	b = append(b, '\n')
	b = appendPairs(b, c.Headers)
	return append(b, '\n')
}

// appendPairs appends key=value pairs joined by '&'.
func appendPairs(b []byte, pairs []KV) []byte {
	for i, p := range pairs {
		if i > 0 {
			b = append(b, '&')
		}
		b = append(b, p.Key...)
		b = append(b, '=')
		b = append(b, p.Value...)
	}
	return b
}

// appendKeys appends the keys of pairs joined by ';'.
func appendKeys(b []byte, pairs []KV) []byte {
	for i, p := range pairs {
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, p.Key...)
	}
	return b
}

// StringToSign returns "sha1\n<keyTime>\n<sha1 hex of FormatString>\n".
func (c *Canonical) StringToSign(keyTime string) string {
	return string(c.appendStringToSign(nil, keyTime))
}

// appendStringToSign appends the StringToSign of c (sorting c in place).
func (c *Canonical) appendStringToSign(b []byte, keyTime string) []byte {
	sum := sha1.Sum(c.appendFormat(make([]byte, 0, 512)))
	b = append(b, "sha1\n"...)
	b = append(b, keyTime...)
	b = append(b, '\n')
	b = hex.AppendEncode(b, sum[:])
	return append(b, '\n')
}

// Signature computes the q-signature of c with secretKey over keyTime ("start;end").
func (c *Canonical) Signature(secretKey, keyTime string) string {
	return c.signature(signKeyMAC(secretKey, keyTime), keyTime)
}

// signKeyMAC returns HMAC-SHA1 keyed with the sign key of secretKey over keyTime.
func signKeyMAC(secretKey, keyTime string) hash.Hash {
	return hmac.New(sha1.New, []byte(hmacHex([]byte(secretKey), keyTime)))
}

// signature computes the q-signature of c with mac, an HMAC-SHA1 keyed with the sign
// key of keyTime (see signKeyMAC); mac is reset first.
func (c *Canonical) signature(mac hash.Hash, keyTime string) string {
	var buf [128]byte
	mac.Reset()
	mac.Write(c.appendStringToSign(buf[:0], keyTime))
	var sum [sha1.Size]byte
	return hex.EncodeToString(mac.Sum(sum[:0]))
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
	return c.authorization(secretID, keyTime, signKeyMAC(secretKey, keyTime))
}

// authorization renders the Authorization header value for c with mac (see signature).
func (c *Canonical) authorization(secretID, keyTime string, mac hash.Hash) string {
	sig := c.signature(mac, keyTime) // sorts c
	b := make([]byte, 0, 192+len(secretID)+2*len(keyTime))
	b = append(b, "q-sign-algorithm=sha1&q-ak="...)
	b = append(b, secretID...)
	b = append(b, "&q-sign-time="...)
	b = append(b, keyTime...)
	b = append(b, "&q-key-time="...)
	b = append(b, keyTime...)
	b = append(b, "&q-header-list="...)
	b = appendKeys(b, c.Headers)
	b = append(b, "&q-url-param-list="...)
	b = appendKeys(b, c.Params)
	b = append(b, "&q-signature="...)
	b = append(b, sig...)
	return string(b)
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
	c := canonicalFor(req)
	c.ParamList, _ = encodePairs(c.Params)
	c.HeaderList, _ = encodePairs(c.Headers)
	return c
}

// canonicalFor is CanonicalFor without ParamList and HeaderList (the signer needs neither).
func canonicalFor(req *http.Request) *Canonical {
	c := &Canonical{Method: req.Method, Path: req.URL.Path}
	if c.Path == "" {
		c.Path = "/"
	}
	if req.URL.RawQuery != "" {
		q, _ := url.ParseQuery(req.URL.RawQuery)
		for k, vs := range q {
			for _, v := range vs {
				c.Params = append(c.Params, KV{strings.ToLower(Encode(k)), Encode(v)})
			}
		}
	}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	c.Headers = make([]KV, 1, len(req.Header)+1)
	c.Headers[0] = KV{"host", Encode(host)}
	for k, vs := range req.Header {
		lk := lowerKey(k)
		if lk == "host" || !signedHeader(lk) {
			continue
		}
		ek := Encode(lk)
		if ek != lk {
			ek = strings.ToLower(Encode(k))
		}
		for _, v := range vs {
			// Sign the value as it goes on the wire: net/http trims surrounding white
			// space, and servers drop it too (RFC 9110 OWS).
			c.Headers = append(c.Headers, KV{ek, encodeValue(textproto.TrimString(v))})
		}
	}
	return c
}

// lowerKey is strings.ToLower(k), without a copy for the header keys every call carries.
func lowerKey(k string) string {
	switch k {
	case "Content-Type":
		return "content-type"
	case "Content-Length":
		return "content-length"
	case "Content-Md5":
		return "content-md5"
	case "User-Agent":
		return "user-agent"
	case "Accept":
		return "accept"
	case "Authorization":
		return "authorization"
	case "X-Cos-Security-Token":
		return "x-cos-security-token"
	}
	return strings.ToLower(k)
}

// encodeValue is Encode(v), without a copy for the Content-Type every call with a body
// carries.
func encodeValue(v string) string {
	if v == "application/xml" {
		return "application%2Fxml"
	}
	return Encode(v)
}
