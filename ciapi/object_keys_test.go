package ciapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// objectKeys are keys that must survive an object URL and back, byte for byte.
var objectKeys = []string{
	"in/plain.mp4", "in/with space.mp4", "in/100%.mp4", "in/a+b.mp4", "in/hash#1.mp4",
	"in/q?x=1&y=2.mp4", "in/视频 (1).mp4", " in/lead.mp4", "in/trailing.mp4 ", "/abs.mp4",
	"https%3A%2F%2Fx%2Fy.mp4", "https://other-1250000000.cos.ap-beijing.myqcloud.com/z.mp4",
	"in/tab\there.mp4", "in/new\nline.mp4", "a//b",
}

func TestObjectURLAndKeyOfURLRoundTrip(t *testing.T) {
	const b, r = "examplebucket-1250000000", "ap-beijing"
	for _, k := range objectKeys {
		u := ObjectURL(b, r, k)
		if strings.ContainsAny(u[len("https://"):], " \t\n?#+%") && !strings.Contains(u, "%") {
			t.Errorf("%q: URL %q is not escaped", k, u)
		}
		if strings.ContainsAny(u, " \t\n?#+") {
			t.Errorf("%q: URL %q keeps a byte a reader may rewrite", k, u)
		}
		got, ok := KeyOfURL(b, r, u)
		if !ok || got != k {
			t.Errorf("KeyOfURL(%q) = %q, %v; want %q", u, got, ok, k)
		}
		if got := ExactKey(b, r, u); got != k {
			t.Errorf("ExactKey(URL of %q) = %q", k, got)
		}
		if got := ExactKey(b, r, k); got != k {
			t.Errorf("ExactKey(%q) = %q: a key that is not this bucket's URL must stay as is", k, got)
		}
	}
	for _, s := range []string{
		"https://other-1250000000.cos.ap-beijing.myqcloud.com/a.mp4",
		"https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/a.mp4",
		"https://examplebucket-1250000000.ci.ap-beijing.myqcloud.com/a.mp4",
		"https://examplebucket-1250000000.cos.ap-beijing.myqcloud.com/",
		"https://examplebucket-1250000000.cos.ap-beijing.myqcloud.com/a.mp4?versionId=1",
		"https://examplebucket-1250000000.cos.ap-beijing.myqcloud.com/bad%zz",
		"ftp://examplebucket-1250000000.cos.ap-beijing.myqcloud.com/a.mp4",
	} {
		if k, ok := KeyOfURL(b, r, s); ok {
			t.Errorf("KeyOfURL(%q) = %q: not an object URL of the bucket", s, k)
		}
	}
	if k, ok := KeyOfURL(b, r, "HTTP://ExampleBucket-1250000000.COS.ap-beijing.myqcloud.com/a%2Bb"); !ok || k != "a+b" {
		t.Errorf("case of scheme and host: %q, %v", k, ok)
	}
}

func TestPutAndGetObjectAreSignedForTheCOSHost(t *testing.T) {
	creds := Credentials{SecretID: "AKIDobject", SecretKey: "object-secret"}
	type seen struct{ method, host, path, contentType, body string }
	var got []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		headers, _ := verify(t, r, creds.SecretID, creds.SecretKey)
		if !slices.Contains(headers, "host") || (r.Method == http.MethodPut && !slices.Contains(headers, "content-md5")) {
			t.Errorf("signed headers %v: want host and content-md5", headers)
		}
		b, _ := io.ReadAll(r.Body)
		got = append(got, seen{r.Method, r.Host, r.URL.Path, r.Header.Get("Content-Type"), string(b)})
		if r.Method == http.MethodGet {
			_, _ = w.Write([]byte("listed"))
		}
	}))
	defer srv.Close()
	c, err := New(Config{Credentials: creds, Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := c.PutObject(ctx, "examplebucket-1250000000", "ap-beijing", "lists/a b+c#d.txt", []byte("one\n")); err != nil {
		t.Fatal(err)
	}
	body, err := c.GetObject(ctx, "examplebucket-1250000000", "ap-beijing", "lists/a b+c#d.txt")
	if err != nil || string(body) != "listed" {
		t.Fatalf("get = %q, %v", body, err)
	}
	want := []seen{
		{"PUT", "examplebucket-1250000000.cos.ap-beijing.myqcloud.com", "/lists/a b+c#d.txt", "text/plain", "one\n"},
		{"GET", "examplebucket-1250000000.cos.ap-beijing.myqcloud.com", "/lists/a b+c#d.txt", "", ""},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("requests\n%+v\nwant\n%+v", got, want)
	}
}

func TestPutObjectRefusedIsRecognisable(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`<Error><Code>AccessDenied</Code><Message>Access Denied.</Message><RequestId>req-1</RequestId></Error>`))
	}))
	defer srv.Close()
	c, err := New(Config{Credentials: Credentials{SecretID: "AKID", SecretKey: "k"}, Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	err = c.PutObject(context.Background(), "examplebucket-1250000000", "ap-beijing", "lists/a.txt", []byte("x"))
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusForbidden || ae.Code != CodeAccessDenied || ae.RequestID != "req-1" {
		t.Fatalf("err = %#v", err)
	}
	if !IsAccessDenied(err) || IsRetryable(err) {
		t.Fatalf("IsAccessDenied %v, IsRetryable %v", IsAccessDenied(err), IsRetryable(err))
	}
	if err := c.PutObject(context.Background(), "examplebucket-1250000000", "ap-beijing", "", nil); err == nil {
		t.Fatal("a PUT without a key was sent")
	}
}
