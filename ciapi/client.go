package ciapi

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
)

// Defaults of Config.
const (
	DefaultTimeout   = 30 * time.Second
	DefaultUserAgent = "planrun-ciapi"
)

// Config configures a Client. Only Credentials is required.
type Config struct {
	Credentials Credentials
	// Endpoint is where requests go (--endpoint): empty means DefaultEndpoint;
	// a URL containing {bucket} and {region} is a template for the host; any other URL is
	// a base URL that only changes where the connection goes, while the Host header and the
	// signature stay those of the real <bucket>.ci.<region>.myqcloud.com.
	Endpoint string
	// HTTPClient supplies the transport (its Transport and Timeout are used; redirects are
	// never followed). Nil means a transport with TLS 1.2+ and certificate verification.
	// A plain-http base-URL Endpoint never goes through the transport's proxy.
	HTTPClient *http.Client
	// Timeout bounds each attempt, reading the response included; 0 means DefaultTimeout.
	Timeout time.Duration
	Retries int
	// UserAgent is sent with every request; empty means DefaultUserAgent.
	UserAgent string
	// AllowInsecure permits plain http to a host that is not a loopback address.
	AllowInsecure bool
	// Now is the local clock; nil means time.Now.
	Now func() time.Time
}

// Client calls the batch-job API. Each call is one HTTP exchange (see do): it never
// retries, waits or limits its rate; the caller does. It is safe for concurrent use.
type Client struct {
	ep      endpoint
	hc      *http.Client
	signer  *Signer
	creds   Credentials
	timeout time.Duration
	ua      string
	now     func() time.Time
	// seenOffset is the service's clock minus the local one, from the Date of the latest
	// answer (see ServiceClockOffset); seenAny is set once one was read.
	seenOffset atomic.Int64
	seenAny    atomic.Bool
	// lastDate is the latest Date header parsed: answers within a second carry the same
	// text, read once.
	lastDate atomic.Pointer[seenDate]
	// budget bounds the bytes of large response bodies read at once, across all calls.
	budget *semaphore.Weighted
	// hosts are the hosts of the latest bucket and region called (see target): a run
	// calls one bucket and region after another, and a template endpoint's host took a
	// strings.Replacer to render on every call.
	hosts atomic.Pointer[targetHosts]
}

// targetHosts is the connection host and the Host header of calls to bucket in region.
type targetHosts struct{ bucket, region, conn, host string }

// target is c.ep.target, the hosts of the latest bucket and region rendered once.
func (c *Client) target(bucket, region, p string) (*url.URL, string) {
	if h := c.hosts.Load(); h != nil && h.bucket == bucket && h.region == region {
		return &url.URL{Scheme: c.ep.scheme, Host: h.conn, Path: c.ep.path + p}, h.host
	}
	u, host := c.ep.target(bucket, region, p)
	c.hosts.Store(&targetHosts{bucket: bucket, region: region, conn: u.Host, host: host})
	return u, host
}

// ServiceClockOffset returns the service's clock minus the local clock, as measured from
// the Date header of the latest answer (whole seconds, so the service's time it implies
// is at most a second and the answer's latency early: a safe lower bound), and whether
// any answer carried a Date yet.
func (c *Client) ServiceClockOffset() (time.Duration, bool) {
	return time.Duration(c.seenOffset.Load()), c.seenAny.Load()
}

// seenDate is a Date header and the time it reads.
type seenDate struct {
	text string
	t    time.Time
}

// observeDate records the clock offset that an answer's Date header shows.
func (c *Client) observeDate(h http.Header) {
	v := h.Get("Date")
	if v == "" {
		return
	}
	var t time.Time
	if last := c.lastDate.Load(); last != nil && last.text == v {
		t = last.t
	} else {
		var err error
		if t, err = http.ParseTime(v); err != nil {
			return
		}
		c.lastDate.Store(&seenDate{text: v, t: t})
	}
	c.seenOffset.Store(int64(t.Sub(c.now())))
	c.seenAny.Store(true)
}

// New checks cfg and returns a Client. It fails with an error matching ErrNoCredentials,
// ErrInvalidEndpoint or ErrInsecureEndpoint.
func New(cfg Config) (*Client, error) {
	if err := cfg.Credentials.Validate(); err != nil {
		return nil, fmt.Errorf("new client: %w", err)
	}
	ep, err := parseEndpoint(cfg.Endpoint, cfg.AllowInsecure)
	if err != nil {
		return nil, fmt.Errorf("new client: %w", err)
	}
	c := &Client{ep: ep, creds: cfg.Credentials, timeout: cfg.Timeout,
		ua: cfg.UserAgent, now: cfg.Now, budget: semaphore.NewWeighted(readBudget)}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.ua == "" {
		c.ua = DefaultUserAgent
	}
	if c.now == nil {
		c.now = time.Now
	}
	var base http.RoundTripper
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if cfg.HTTPClient != nil {
		base, hc.Timeout = cfg.HTTPClient.Transport, cfg.HTTPClient.Timeout
	}
	if base == nil {
		base = defaultTransport()
	}
	base = directToBaseURL(base, ep)
	c.signer = &Signer{Credentials: cfg.Credentials, Base: base, Now: c.now, PathPrefix: c.ep.path}
	hc.Transport = c.signer
	c.hc = hc
	return c, nil
}

// maxIdlePerHost is how many idle connections the default transport keeps per host. The
// net/http default of 2 makes every worker beyond the second open a new connection for
// each call (and leaves a TIME_WAIT socket behind); keeping one per worker up to this
// bound lets --parallel workers reuse their connections.
const maxIdlePerHost = 256

// defaultTransport is http.DefaultTransport with TLS 1.2 as the minimum version, keeping
// up to maxIdlePerHost idle connections per host.
func defaultTransport() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = maxIdlePerHost
	t.MaxIdleConnsPerHost = maxIdlePerHost
	if t.TLSClientConfig == nil {
		t.TLSClientConfig = &tls.Config{}
	}
	t.TLSClientConfig.MinVersion = tls.VersionTLS12
	return t
}

// directToBaseURL makes a plain-http base-URL endpoint bypass any HTTP proxy. Through a
// proxy, a plain-http request names its target by the Host header (here the real
// <bucket>.ci.<region>.myqcloud.com, which the signature covers), so the proxy would send
// the signed request, and any security token, in clear text to the real service instead
// of to the endpoint. Without the proxy, the connection goes where --endpoint says. A
// template endpoint, and https (a CONNECT tunnel to the endpoint's own host), keep it.
func directToBaseURL(base http.RoundTripper, ep endpoint) http.RoundTripper {
	t, ok := base.(*http.Transport)
	if !ok || ep.template || ep.scheme != "http" || t.Proxy == nil {
		return base
	}
	t = t.Clone()
	t.Proxy = nil
	return t
}

// Signer returns the signer of c, e.g. to read or preset its clock offset.
func (c *Client) Signer() *Signer { return c.signer }

// Endpoint returns the endpoint as configured, e.g. "https://{bucket}.ci.{region}.myqcloud.com".
func (c *Client) Endpoint() string { return c.ep.String() }

// String describes c without its credentials.
func (c *Client) String() string {
	return "ciapi.Client(" + c.ep.String() + ", " + c.creds.MaskedID() + ")"
}

// Format prints c with every verb as String does, so no secret can leak through %+v.
func (c *Client) Format(f fmt.State, _ rune) { fmt.Fprint(f, c.String()) }
