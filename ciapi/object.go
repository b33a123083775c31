package ciapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// CodeAccessDenied is the error code of a call the credentials may not make, e.g. a COS
// PUT Object without cos:PutObject on the key.
const CodeAccessDenied = "AccessDenied"

// CodeNoSuchKey is the error code of a GET Object of a key the bucket does not hold.
const CodeNoSuchKey = "NoSuchKey"

// IsAccessDenied reports whether err is the service refusing the call to these
// credentials (403 AccessDenied).
func IsAccessDenied(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Code == CodeAccessDenied
}

// ObjectURL returns the full URL of key in bucket, as a URL file lists it:
// "https://<bucket>.cos.<region>.myqcloud.com/<escaped key>". Every byte of the key but
// letters, digits, '-', '_', '.', '~' and '/' is percent-encoded, so spaces, '%', '+',
// '#', '?' and non-ASCII characters survive any reader; KeyOfURL inverts it exactly.
func ObjectURL(bucket, region, key string) string {
	return "https://" + RealCOSHost(bucket, region) + "/" + EscapeKey(key)
}

// EscapeKey percent-encodes an object key for a URL path: every byte but the unreserved
// ones (RFC 3986) and '/'.
func EscapeKey(key string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(key))
	for i := 0; i < len(key); i++ {
		c := key[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' || c == '/' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// KeyOfURL returns the key that s names when s is an object URL of this very bucket:
// http or https, the host RealCOSHost(bucket, region) (case aside, no port, user, query or
// fragment), then "/" and the percent-encoded key, decoded exactly (a '+' stays a '+').
// ok is false for anything else, which then is not an object URL of the bucket.
func KeyOfURL(bucket, region, s string) (key string, ok bool) {
	var rest string
	switch {
	case hasPrefixFold(s, "https://"):
		rest = s[len("https://"):]
	case hasPrefixFold(s, "http://"):
		rest = s[len("http://"):]
	default:
		return "", false
	}
	host, path, found := strings.Cut(rest, "/")
	if !found || !strings.EqualFold(host, RealCOSHost(bucket, region)) || path == "" ||
		strings.ContainsAny(path, "?#") {
		return "", false
	}
	k, err := url.PathUnescape(path)
	if err != nil {
		return "", false
	}
	return k, true
}

// ExactKey returns the bare object key that the service named by s in bucket: the key of
// an object URL of this bucket (see KeyOfURL), else s itself, byte for byte. It never
// trims, drops a leading '/', decodes a key or follows another bucket's URL: "in/a.mp4 ",
// "/abs.mp4" and "https%3A%2F%2Fx%2Fy.mp4" are keys as written.
func ExactKey(bucket, region, s string) string {
	if k, ok := KeyOfURL(bucket, region, s); ok {
		return k
	}
	return s
}

// PutObject stores body as the object key of bucket (COS "PUT Object", PUT /<key>, Content-Type
// text/plain, Content-MD5 of body), replacing an object of the same key. It is signed as
// every other call, and sent once; see IsRetryable. The host is COS's, not CI's (see
// RealCOSHost):
//
//   - with a base-URL endpoint the connection goes to the base URL, as for every call,
//     and the Host header and the signature are those of <bucket>.cos.<region>.myqcloud.com;
//   - with a template endpoint the first ".ci." of the template's host becomes ".cos."
//     (so the default template reaches COS); a template without ".ci." is used as it is.
//
// The key goes in the path escaped segment by segment (every byte but A-Z a-z 0-9 - _ . ~
// and the "/" between segments), so spaces, "%", "+", "#", "?" and non-ASCII keys reach
// the service as they are. An empty key, or one with a "." or ".." segment (which a proxy
// may resolve), is refused.
func (c *Client) PutObject(ctx context.Context, bucket, region, key string, body []byte) error {
	const op = "put object"
	if err := checkObjectKey(key); err != nil {
		return &APIError{Op: op, Err: err}
	}
	if body == nil {
		body = []byte{} // a PUT of an empty object still carries Content-Length: 0
	}
	_, err := c.do(ctx, call{op: op, method: http.MethodPut, bucket: bucket, region: region,
		path: "/" + key, body: body, object: true, contentType: "text/plain"})
	return err
}

// RealCOSHost returns the COS host name of a bucket, "<bucket>.cos.<region>.myqcloud.com".
func RealCOSHost(bucket, region string) string {
	return bucket + ".cos." + region + ".myqcloud.com"
}

// objectTarget is target for a COS object at path p ("/" and the decoded key): the COS host
// (see PutObject), and a path escaped segment by segment.
func (e endpoint) objectTarget(bucket, region, p string) (u *url.URL, host string) {
	u, host = e.target(bucket, region, p)
	if e.template {
		tmpl := strings.Replace(e.host, ".ci.", ".cos.", 1)
		host = strings.NewReplacer(bucketMark, bucket, regionMark, region).Replace(tmpl)
		u.Host = host
	} else {
		host = RealCOSHost(bucket, region)
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = Encode(s)
	}
	u.RawPath = e.path + strings.Join(segs, "/")
	return u, host
}

// checkObjectKey refuses keys that cannot be sent as a path as they are.
func checkObjectKey(key string) error {
	if key == "" {
		return errors.New("empty object key")
	}
	for _, s := range strings.Split(key, "/") {
		if s == "." || s == ".." {
			return fmt.Errorf("object key %q: a %q segment may be resolved on the way", key, s)
		}
	}
	return nil
}

// GetObject returns the object key of bucket (COS GET Object), at most 4 MiB of it, from
// the COS host as PutObject reaches it. An object the bucket does not hold is an *APIError
// with Code NoSuchKey (404). It is sent once; see IsRetryable.
func (c *Client) GetObject(ctx context.Context, bucket, region, key string) ([]byte, error) {
	const op = "get object"
	if err := checkObjectKey(key); err != nil {
		return nil, &APIError{Op: op, Err: err}
	}
	resp, err := c.do(ctx, call{op: op, method: http.MethodGet, bucket: bucket, region: region,
		path: "/" + key, object: true})
	if err != nil {
		return nil, err
	}
	return resp.body, nil
}
