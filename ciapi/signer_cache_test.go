package ciapi

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSignerCachedKeysFollowClockAndKey checks the per-second cache of the signer: every
// signature equals the one computed from scratch for the same request, second and key,
// when the clock moves on, when the offset or the validity changes, and when the key
// pair is replaced.
func TestSignerCachedKeysFollowClockAndKey(t *testing.T) {
	now := time.Unix(1700000000, 0)
	base := &capture{}
	s := &Signer{Credentials: Credentials{SecretID: "AKIDone", SecretKey: "keyone"}, Base: base,
		Now: func() time.Time { return now }}
	check := func(step, wantKeyTime string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:1/inventorytriggerjob", strings.NewReader("<Request/>"))
		req.Host = "b-1250000000.ci.ap-beijing.myqcloud.com"
		if _, err := s.RoundTrip(req); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		signed := base.req
		got := signed.Header.Get("Authorization")
		if !strings.Contains(got, "&q-key-time="+wantKeyTime+"&") {
			t.Errorf("%s: key time in %q, want %s", step, got, wantKeyTime)
		}
		want := CanonicalFor(signed).Authorization(s.SecretID, s.SecretKey, wantKeyTime)
		if got != want {
			t.Errorf("%s: Authorization\n got %s\nwant %s", step, got, want)
		}
	}
	check("first", "1700000000;1700003600")
	check("same second", "1700000000;1700003600")
	now = now.Add(1500 * time.Millisecond)
	check("clock moved on", "1700000001;1700003601")
	s.SetClockOffset(-time.Minute)
	check("offset", "1699999941;1700003541")
	s.Expire = time.Minute
	check("validity", "1699999941;1700000001")
	s.Credentials = Credentials{SecretID: "AKIDtwo", SecretKey: "keytwo"}
	check("new key pair", "1699999941;1700000001")
}
