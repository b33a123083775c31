package ciapi

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"hash"
	"io"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultExpire is how long a signature stays valid when Signer.Expire is zero.
const DefaultExpire = time.Hour

// Signer is an http.RoundTripper that signs every request it sends with the COS
// q-sign-algorithm=sha1 signature, afresh on every call (so every retry attempt carries
// a new signature). It signs the Host (port included when the request carries one),
// every query parameter, Content-Type, Content-Length (set on every request that sends
// it, "0" on a bodiless PUT or POST), Content-MD5 (computed for bodies that can be
// re-read through GetBody), and every x-cos-* and x-ci-* header. Temporary credentials
// add a signed x-cos-security-token header. The caller's request is never modified.
//
// A Signer is safe for concurrent use; its clock offset can be changed at any time.
type Signer struct {
	Credentials
	// Base sends the signed request; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Now is the local clock; nil means time.Now.
	Now func() time.Time
	// Expire is the validity of each signature from its start; 0 means DefaultExpire.
	Expire time.Duration
	// PathPrefix is the path of a base-URL endpoint ("/ci-proxy" of
	// http://gw.example/ci-proxy): requests go to it, but a proxy there strips it before the
	// service, so the signature covers the path without it, as the service sees it.
	PathPrefix string

	offset atomic.Int64 // nanoseconds added to Now for the sign time (clock-skew correction)

	// keys caches the key time of the current second and the HMAC keyed with its sign
	// key: both change once a second, and deriving them for every request showed in
	// profiles of a run.
	keys atomic.Pointer[signKeys]
}

// signKeys is what Signer.keys caches for one second of signing.
type signKeys struct {
	unix       int64         // the sign time, in seconds
	expire     time.Duration // the validity it was made for
	secretKey  string        // the key it was derived from
	keyTime    string        // "start;end"
	macs       sync.Pool     // of hash.Hash: HMAC-SHA1 keyed with the sign key of keyTime
	signKeyHex []byte
}

// currentKeys returns the key time of a signature made now and its HMAC pool.
func (s *Signer) currentKeys() *signKeys {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	expire := s.Expire
	if expire <= 0 {
		expire = DefaultExpire
	}
	start := now().Add(s.ClockOffset())
	if k := s.keys.Load(); k != nil && k.unix == start.Unix() && k.expire == expire && k.secretKey == s.SecretKey {
		return k
	}
	k := &signKeys{unix: start.Unix(), expire: expire, secretKey: s.SecretKey,
		keyTime: strconv.FormatInt(start.Unix(), 10) + ";" + strconv.FormatInt(start.Add(expire).Unix(), 10)}
	k.signKeyHex = []byte(hmacHex([]byte(k.secretKey), k.keyTime))
	k.macs.New = func() any { return hmac.New(sha1.New, k.signKeyHex) }
	s.keys.Store(k)
	return k
}

// SetClockOffset sets the correction added to the local clock when signing, e.g. the
// difference between the service's Date header and the local time.
func (s *Signer) SetClockOffset(d time.Duration) { s.offset.Store(int64(d)) }

// ClockOffset returns the current correction added to the local clock.
func (s *Signer) ClockOffset() time.Duration { return time.Duration(s.offset.Load()) }

// KeyTime returns the "start;end" validity window a signature made now would carry.
func (s *Signer) KeyTime() string { return s.currentKeys().keyTime }

// RoundTrip signs a clone of req and sends it through Base.
func (s *Signer) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := s.Credentials.Validate(); err != nil {
		closeBody(req)
		return nil, fmt.Errorf("sign request: %w", err)
	}
	// A shallow copy with a header map of its own: the signer only sets and deletes
	// header keys, never changes a value slice, the URL or anything else of req.
	r := new(http.Request)
	*r = *req
	r.Header = make(http.Header, len(req.Header)+3)
	maps.Copy(r.Header, req.Header)
	// The values set here share one backing array, set under their canonical keys as
	// Header.Set would (one allocation instead of one per header).
	vals := make([]string, 4)
	if s.SessionToken != "" {
		vals[0] = s.SessionToken
		r.Header["X-Cos-Security-Token"] = vals[0:1:1]
	}
	if sendsContentLength(r) {
		vals[1] = strconv.FormatInt(r.ContentLength, 10)
		r.Header["Content-Length"] = vals[1:2:2]
	} else {
		delete(r.Header, "Content-Length")
	}
	if r.ContentLength > 0 && r.Header.Get("Content-MD5") == "" && r.GetBody != nil {
		sum, err := bodyMD5(r)
		if err != nil {
			closeBody(req)
			return nil, fmt.Errorf("sign request: %w", err)
		}
		vals[2] = sum
		r.Header["Content-Md5"] = vals[2:3:3]
	}
	k := s.currentKeys()
	mac := k.macs.Get().(hash.Hash)
	cf := canonicalFor(r)
	if p := s.PathPrefix; p != "" && strings.HasPrefix(cf.Path, p+"/") {
		cf.Path = cf.Path[len(p):]
	}
	vals[3] = cf.authorization(s.SecretID, k.keyTime, mac)
	r.Header["Authorization"] = vals[3:4:4]
	k.macs.Put(mac)
	base := s.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(r)
}

// sendsContentLength reports whether net/http will put a Content-Length header on the
// wire for r, so that signing it is safe: a known positive length, or a known zero
// length on the methods that always carry one.
func sendsContentLength(r *http.Request) bool {
	if r.ContentLength > 0 {
		return true
	}
	if r.ContentLength < 0 || (r.Body != nil && r.Body != http.NoBody) {
		return false // unknown length
	}
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		return true
	}
	return false
}

// bodyMD5 returns the base64 MD5 of r's body, read through a fresh GetBody copy.
func bodyMD5(r *http.Request) (string, error) {
	body, err := r.GetBody()
	if err != nil {
		return "", fmt.Errorf("read body for content-md5: %w", err)
	}
	defer body.Close()
	h := md5.New()
	if _, err := io.Copy(h, body); err != nil {
		return "", fmt.Errorf("read body for content-md5: %w", err)
	}
	return base64.StdEncoding.EncodeToString(h.Sum(nil)), nil
}

func closeBody(r *http.Request) {
	if r.Body != nil {
		r.Body.Close()
	}
}
