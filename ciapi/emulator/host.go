package emulator

import (
	"net"
	"net/http"
	"strings"
)

// target is the bucket a request addresses.
type target struct{ bucket, region string }

func (t target) key() string { return t.bucket + "/" + t.region }

// parseHost extracts bucket and region from a <bucket>.ci.<region>.<domain> host (port
// ignored), as the real service routes (<domain> is myqcloud.com there).
func parseHost(host string) (target, bool) { return parseServiceHost(host, ".ci.") }

// parseCOSHost extracts bucket and region from a <bucket>.cos.<region>.<domain> host
// (port ignored), where COS answers object requests.
func parseCOSHost(host string) (target, bool) { return parseServiceHost(host, ".cos.") }

// parseServiceHost extracts bucket and region from <bucket><mid><region>.<domain>.
func parseServiceHost(host, mid string) (target, bool) {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	bucket, rest, ok := strings.Cut(host, mid)
	if !ok || bucket == "" || strings.Contains(bucket, ".") {
		return target{}, false
	}
	region, domain, ok := strings.Cut(rest, ".")
	if !ok || region == "" || domain == "" {
		return target{}, false
	}
	return target{bucket: bucket, region: region}, true
}

// target resolves the bucket of r from its Host, falling back to the configured default.
func (s *Server) target(r *http.Request) (target, *apiError) {
	if t, ok := parseHost(r.Host); ok {
		return t, nil
	}
	if t, ok := parseCOSHost(r.Host); ok {
		return t, nil
	}
	if s.opts.DefaultBucket != "" && s.opts.DefaultRegion != "" {
		return target{bucket: s.opts.DefaultBucket, region: s.opts.DefaultRegion}, nil
	}
	return target{}, errorf(http.StatusBadRequest, "InvalidHost",
		"host %q is not <bucket>.ci.<region>.myqcloud.com and the emulator has no default bucket", r.Host)
}
