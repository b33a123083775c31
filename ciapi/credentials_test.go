package ciapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestCredentialsFromEnv(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c, err := CredentialsFromEnv(env(map[string]string{EnvSecretID: " AKIDabc123456789\n", EnvSecretKey: "key", EnvSecurityToken: "tok"}))
	if err != nil || c.SecretID != "AKIDabc123456789" || c.SecretKey != "key" || c.SessionToken != "tok" || !c.Temporary() {
		t.Errorf("got %v, %v", c, err)
	}
	for _, m := range []map[string]string{{}, {EnvSecretID: "id"}, {EnvSecretKey: "k"}, {EnvSecretID: " ", EnvSecretKey: "k"}} {
		if _, err := CredentialsFromEnv(env(m)); !errors.Is(err, ErrNoCredentials) {
			t.Errorf("%v: err = %v, want ErrNoCredentials", m, err)
		}
	}
	if _, err := CredentialsFromEnv(env(map[string]string{EnvSecretID: "id", EnvSecretKey: "a b"})); err == nil ||
		strings.Contains(err.Error(), "a b") {
		t.Errorf("key with space: %v", err)
	}
}

// TestSecretsNeverPrinted prints credentials, a client and a signer every way fmt allows,
// and makes the service echo the secrets back in an error: they must never show.
func TestSecretsNeverPrinted(t *testing.T) {
	creds := Credentials{SecretID: testID, SecretKey: testKey, SessionToken: testToken}
	f := newFakeCI(t, creds, func(w http.ResponseWriter, r *http.Request, n int) {
		xmlResponse(w, 403, "<Error><Code>SignatureDoesNotMatch</Code><Message>key "+testKey+" token "+Encode(testToken)+
			"</Message><FormatString>x-cos-security-token="+testToken+"</FormatString><RequestId>"+testToken+"</RequestId></Error>")
	})
	c := newTestClient(t, f, nil)
	_, err := c.Create(context.Background(), testBucket, testRegion, &CreateRequest{Name: "x"})
	if err == nil {
		t.Fatal("want an error")
	}
	var outputs []string
	outputs = append(outputs, err.Error(), fmt.Sprintf("%+v %#v", err, err))
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		outputs = append(outputs, fmt.Sprintf(verb, creds), fmt.Sprintf(verb, &creds), fmt.Sprintf(verb, c),
			fmt.Sprintf(verb, c.Signer()), fmt.Sprintf(verb, Config{Credentials: creds}),
			fmt.Sprintf(verb, struct{ C Credentials }{creds}))
	}
	outputs = append(outputs, creds.String(), creds.GoString(), c.String())
	for _, out := range outputs {
		if strings.Contains(out, testKey) || strings.Contains(out, testToken) || strings.Contains(out, Encode(testToken)) {
			t.Errorf("secret printed: %s", out)
		}
	}
	if got := creds.String(); !strings.Contains(got, "AKID****1234") {
		t.Errorf("String() = %q, want the masked id AKID****1234", got)
	}
}
