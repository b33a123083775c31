package ciapi

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// DefaultEndpoint is the endpoint template of the real service.
const DefaultEndpoint = "https://{bucket}.ci.{region}.myqcloud.com"

// ErrInsecureEndpoint reports a plain-http endpoint whose host is not a loopback address.
var ErrInsecureEndpoint = errors.New("plain http is only allowed to a loopback address")

// ErrInvalidEndpoint reports an endpoint URL that cannot be used.
var ErrInvalidEndpoint = errors.New("invalid endpoint")

const (
	bucketMark = "planrun-bucket-mark"
	regionMark = "planrun-region-mark"
)

// endpoint says where requests go. A template (the default) builds the host from the
// bucket and region; a plain base URL only redirects the connection, and the Host header
// stays the real <bucket>.ci.<region>.myqcloud.com.
type endpoint struct {
	scheme   string
	host     string // template host (with marks), or the fixed connection host
	path     string // base path, without a trailing slash
	template bool
}

func parseEndpoint(raw string, allowInsecure bool) (endpoint, error) {
	if raw == "" {
		raw = DefaultEndpoint
	}
	hasB, hasR := strings.Contains(raw, "{bucket}"), strings.Contains(raw, "{region}")
	if hasB != hasR {
		return endpoint{}, fmt.Errorf("%w %q: a template needs both {bucket} and {region}", ErrInvalidEndpoint, raw)
	}
	s := strings.NewReplacer("{bucket}", bucketMark, "{region}", regionMark).Replace(raw)
	u, err := url.Parse(s)
	if err != nil {
		return endpoint{}, fmt.Errorf("%w %q: %w", ErrInvalidEndpoint, raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return endpoint{}, fmt.Errorf("%w %q: scheme must be http or https", ErrInvalidEndpoint, raw)
	}
	if u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return endpoint{}, fmt.Errorf("%w %q: want scheme://host[:port][/path] without user, query or fragment", ErrInvalidEndpoint, raw)
	}
	if hasB && (!strings.Contains(u.Host, bucketMark) || !strings.Contains(u.Host, regionMark) ||
		strings.Contains(u.Path, bucketMark) || strings.Contains(u.Path, regionMark)) {
		return endpoint{}, fmt.Errorf("%w %q: {bucket} and {region} may only appear in the host", ErrInvalidEndpoint, raw)
	}
	e := endpoint{scheme: u.Scheme, host: u.Host, path: strings.TrimRight(u.Path, "/"), template: hasB}
	if e.scheme == "http" && !allowInsecure && !isLoopback(u.Hostname()) {
		return endpoint{}, fmt.Errorf("endpoint %q: %w (use https, or allow insecure transport explicitly)", raw, ErrInsecureEndpoint)
	}
	return e, nil
}

// isLoopback reports whether host (no port) is localhost, 127.0.0.0/8 or ::1.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// RealHost returns the host name of the service for a bucket and region,
// "<bucket>.ci.<region>.myqcloud.com".
func RealHost(bucket, region string) string {
	return bucket + ".ci." + region + ".myqcloud.com"
}

// checkBucketRegion refuses names that could change the host a request goes to.
func checkBucketRegion(bucket, region string) error {
	ok := func(s string) bool {
		if s == "" || s[0] == '-' || s[len(s)-1] == '-' {
			return false
		}
		for i := 0; i < len(s); i++ {
			c := s[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
		return true
	}
	if !ok(bucket) {
		return fmt.Errorf("invalid bucket %q: want lower-case letters, digits and '-' (name-appid)", bucket)
	}
	if !ok(region) {
		return fmt.Errorf("invalid region %q: want lower-case letters, digits and '-'", region)
	}
	return nil
}

// target returns the URL (scheme, connection host, path) and the Host header for a call
// on path p (starting with "/") to bucket in region.
func (e endpoint) target(bucket, region, p string) (u *url.URL, host string) {
	connHost := e.host
	host = RealHost(bucket, region)
	if e.template {
		connHost = strings.NewReplacer(bucketMark, bucket, regionMark, region).Replace(e.host)
		host = connHost
	}
	return &url.URL{Scheme: e.scheme, Host: connHost, Path: e.path + p}, host
}

// String returns the endpoint as the user would write it.
func (e endpoint) String() string {
	h := strings.NewReplacer(bucketMark, "{bucket}", regionMark, "{region}").Replace(e.host)
	return e.scheme + "://" + h + e.path
}
