package ciapi

import (
	"errors"
	"fmt"
	"strings"
)

// Environment variables read by CredentialsFromEnv.
const (
	EnvSecretID      = "TENCENTCLOUD_SECRET_ID"
	EnvSecretKey     = "TENCENTCLOUD_SECRET_KEY"
	EnvSecurityToken = "TENCENTCLOUD_SECURITY_TOKEN"
)

// ErrNoCredentials reports that the secret id or the secret key is missing.
var ErrNoCredentials = errors.New("no credentials: set " + EnvSecretID + " and " + EnvSecretKey)

// Credentials is a Tencent Cloud key pair, with the session token of temporary keys.
// Printing it with any fmt verb, String or GoString shows only a masked SecretID: the
// SecretKey and SessionToken never appear.
type Credentials struct {
	SecretID     string
	SecretKey    string
	SessionToken string // only for temporary credentials; sent as x-cos-security-token
}

// CredentialsFromEnv reads the credentials from TENCENTCLOUD_SECRET_ID,
// TENCENTCLOUD_SECRET_KEY and TENCENTCLOUD_SECURITY_TOKEN through getenv (os.Getenv in
// production). Surrounding white space is trimmed. It returns an error matching
// ErrNoCredentials when the id or the key is missing.
func CredentialsFromEnv(getenv func(string) string) (Credentials, error) {
	c := Credentials{
		SecretID:     strings.TrimSpace(getenv(EnvSecretID)),
		SecretKey:    strings.TrimSpace(getenv(EnvSecretKey)),
		SessionToken: strings.TrimSpace(getenv(EnvSecurityToken)),
	}
	if err := c.Validate(); err != nil {
		return Credentials{}, err
	}
	return c, nil
}

// Validate checks that the id and key are set and that no part contains white space or
// control characters (which would corrupt the Authorization header). Its errors name the
// offending part, never its value.
func (c Credentials) Validate() error {
	switch {
	case c.SecretID == "" && c.SecretKey == "":
		return ErrNoCredentials
	case c.SecretID == "":
		return fmt.Errorf("secret id is empty: %w", ErrNoCredentials)
	case c.SecretKey == "":
		return fmt.Errorf("secret key is empty: %w", ErrNoCredentials)
	}
	for _, p := range []struct{ name, v string }{
		{"secret id", c.SecretID}, {"secret key", c.SecretKey}, {"session token", c.SessionToken},
	} {
		if strings.IndexFunc(p.v, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0 {
			return fmt.Errorf("%s contains white space or control characters", p.name)
		}
	}
	return nil
}

// Temporary reports whether c holds temporary credentials (a session token).
func (c Credentials) Temporary() bool { return c.SessionToken != "" }

// MaskedID returns the secret id with all but its first and last four characters masked,
// e.g. "AKID****1234"; short ids are masked completely.
func (c Credentials) MaskedID() string {
	if len(c.SecretID) <= 8 {
		if c.SecretID == "" {
			return ""
		}
		return "****"
	}
	return c.SecretID[:4] + "****" + c.SecretID[len(c.SecretID)-4:]
}

// String returns the masked id and whether a key and token are present, never their values.
func (c Credentials) String() string {
	s := "credentials(" + c.MaskedID()
	if c.SecretKey != "" {
		s += ", key ****"
	}
	if c.SessionToken != "" {
		s += ", token ****"
	}
	return s + ")"
}

// GoString is the %#v form: the same masked text as String.
func (c Credentials) GoString() string { return "ciapi." + c.String() }

// Format implements fmt.Formatter so that every verb (%v, %+v, %#v, %s, %q, %x...) prints
// the masked form only.
func (c Credentials) Format(f fmt.State, verb rune) {
	switch verb {
	case 'v':
		if f.Flag('#') {
			fmt.Fprint(f, c.GoString())
			return
		}
		fmt.Fprint(f, c.String())
	case 'q':
		fmt.Fprintf(f, "%q", c.String())
	default:
		fmt.Fprint(f, c.String())
	}
}

// secrets returns the values that must never appear in output, for redaction.
func (c Credentials) secrets() []string {
	var s []string
	for _, v := range []string{c.SecretKey, c.SessionToken} {
		if len(v) >= 4 {
			s = append(s, v, Encode(v))
		}
	}
	return s
}

// redact replaces every secret of c in s with "****".
func (c Credentials) redact(s string) string {
	for _, v := range c.secrets() {
		s = strings.ReplaceAll(s, v, "****")
	}
	return s
}
