package ciapi

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestErrorBodies(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		headers     map[string]string
		wantCode    string
		wantMsg     string
		wantReqID   string
		wantText    string
	}{
		{"xml", 503, "application/xml", errorXML("SlowDown", "Please reduce your request rate"), nil,
			"SlowDown", "Please reduce your request rate", "req-SlowDown",
			"list: 503 SlowDown: Please reduce your request rate (RequestId: req-SlowDown)"},
		{"xml without request id", 400, "application/xml", "<Error><Code>InvalidArgument</Code><Message>bad size</Message></Error>",
			map[string]string{"x-ci-request-id": "ci-id", "x-cos-request-id": "cos-id"}, "InvalidArgument", "bad size", "ci-id",
			"list: 400 InvalidArgument: bad size (RequestId: ci-id)"},
		{"cos request id fallback", 403, "application/xml", "<Error><Code>AccessDenied</Code></Error>",
			map[string]string{"x-cos-request-id": "cos-id"}, "AccessDenied", "", "cos-id", "list: 403 AccessDenied (RequestId: cos-id)"},
		{"other root", 500, "application/xml", "<Response><Code>InternalError</Code><Message>oops</Message></Response>", nil,
			"InternalError", "oops", "", "list: 500 InternalError: oops"},
		{"json", 429, "application/json", `{"code":1020,"message":"frequency control","request_id":"j-1"}`, nil,
			"1020", "frequency control", "j-1", "list: 429 1020: frequency control (RequestId: j-1)"},
		{"json string code", 400, "application/json", `{"code":"InvalidArgument","message":"m"}`, nil,
			"InvalidArgument", "m", "", "list: 400 InvalidArgument: m"},
		{"html", 502, "text/html", "<html>\n<body>Bad   Gateway</body></html>", nil,
			"", "<html> <body>Bad Gateway</body></html>", "", "list: 502 Bad Gateway: <html> <body>Bad Gateway</body></html>"},
		{"plain text", 504, "text/plain", "upstream timed out", nil, "", "upstream timed out", "", "list: 504 Gateway Timeout: upstream timed out"},
		{"empty", 500, "", "", nil, "", "", "", "list: 500 Internal Server Error"},
		{"long", 500, "text/plain", strings.Repeat("é", 400), nil, "", strings.Repeat("é", 128) + "...", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
				for k, v := range tt.headers {
					w.Header().Set(k, v)
				}
				w.Header().Set("Content-Type", tt.contentType)
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			})
			c := newTestClient(t, f, func(cfg *Config) { cfg.Retries = -1 })
			_, err := c.List(context.Background(), testBucket, testRegion, ListOptions{})
			var ae *APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v", err)
			}
			if ae.Status != tt.status || ae.Code != tt.wantCode || ae.Message != tt.wantMsg || ae.RequestID != tt.wantReqID {
				t.Errorf("got %d %q %q %q", ae.Status, ae.Code, ae.Message, ae.RequestID)
			}
			if tt.wantText != "" && err.Error() != tt.wantText {
				t.Errorf("Error() = %q, want %q", err.Error(), tt.wantText)
			}
			if n := f.count("GET", "/inventorytriggerjob"); n != 1 {
				t.Errorf("Retries -1 made %d calls", n)
			}
		})
	}
}

func TestClassification(t *testing.T) {
	wrap := func(e error) error { return fmt.Errorf("run: %w", e) }
	tests := []struct {
		name                            string
		err                             error
		retryable, uncertain, permanent bool
	}{
		{"nil", nil, false, false, false},
		{"503 SlowDown", &APIError{Status: 503, Code: "SlowDown"}, true, false, false},
		{"400 SlowDown", &APIError{Status: 400, Code: "SlowDown"}, true, false, false},
		{"429", &APIError{Status: 429}, true, false, false},
		{"503 other", &APIError{Status: 503, Code: "ServiceUnavailable"}, true, true, false},
		{"500", wrap(&APIError{Status: 500, Code: "InternalError"}), true, true, false},
		{"400", &APIError{Status: 400, Code: "InvalidArgument"}, false, false, true},
		{"403", &APIError{Status: 403, Code: "AccessDenied"}, false, false, true},
		{"404", &APIError{Status: 404}, false, false, true},
		{"301", &APIError{Status: 301, Code: "PermanentRedirect"}, false, false, true},
		{"reset after send", &APIError{Err: syscall.ECONNRESET, Sent: true}, true, true, false},
		{"eof after send", &APIError{Err: io.EOF, Sent: true}, true, true, false},
		{"refused", &APIError{Err: syscall.ECONNREFUSED}, true, false, false},
		{"timeout before send", &APIError{Err: context.DeadlineExceeded}, true, false, false},
		{"timeout after send", &APIError{Err: context.DeadlineExceeded, Sent: true}, true, true, false},
		{"caller cancel after send", &APIError{Err: context.Canceled, Sent: true}, false, true, false},
		{"caller deadline", &APIError{Err: &stopped{context.DeadlineExceeded}, Sent: true}, false, true, false},
		{"2xx unreadable", &APIError{Status: 200, Err: errors.New("decode")}, false, false, true},
		{"2xx cut short", &APIError{Status: 200, Err: io.ErrUnexpectedEOF, Sent: true}, true, false, false},
		{"not found", wrap(ErrNotFound), false, false, true},
		{"raw reset", syscall.ECONNRESET, true, true, false},
		{"raw refused", wrap(syscall.ECONNREFUSED), true, false, false},
	}
	for _, tt := range tests {
		if got := IsRetryable(tt.err); got != tt.retryable {
			t.Errorf("%s: IsRetryable = %v", tt.name, got)
		}
		if got := IsUncertain(tt.err); got != tt.uncertain {
			t.Errorf("%s: IsUncertain = %v", tt.name, got)
		}
		if got := IsPermanent(tt.err); got != tt.permanent {
			t.Errorf("%s: IsPermanent = %v", tt.name, got)
		}
	}
	if d := RetryAfterOf(wrap(&APIError{RetryAfter: 3 * time.Second})); d != 3*time.Second {
		t.Errorf("RetryAfterOf = %v", d)
	}
	if !errors.Is(&APIError{Op: "describe", Status: 404}, ErrNotFound) || errors.Is(&APIError{Op: "describe", Status: 400}, ErrNotFound) {
		t.Errorf("a 404 to describe must match ErrNotFound, a 400 must not")
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"": 0, "0": 0, "-5": 0, "12": 12 * time.Second, "junk": 0, "999999": maxRetryAfter,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
		now.Add(-time.Minute).Format(http.TimeFormat):     0,
	} {
		if got := parseRetryAfter(v, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestIsConfigError(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{&APIError{Op: "create", Status: 403, Code: "SignatureDoesNotMatch"}, true},
		{&APIError{Op: "list", Status: 403, Code: "InvalidAccessKeyId"}, true},
		{&APIError{Op: "list", Status: 401, Code: "MissingAuthorization"}, true},
		{&APIError{Op: "create", Status: 400, Code: "InvalidArgument"}, false},
		{&APIError{Op: "list", Status: 404}, true},
		{&APIError{Op: "create", Status: 404}, true},
		{&APIError{Op: "describe", Status: 404, Code: "NoSuchJob"}, false},
		{&APIError{Op: "create", Status: 503, Code: "SlowDown"}, false},
		{&APIError{Op: "create", Err: x509.UnknownAuthorityError{}}, true},
		{&APIError{Op: "create", Err: io.EOF, Sent: true}, false},
		{nil, false},
	} {
		if got := IsConfigError(tt.err); got != tt.want {
			t.Errorf("IsConfigError(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

func TestNotFoundOnlyForOneJob(t *testing.T) {
	if !errors.Is(&APIError{Op: "describe", Status: 404}, ErrNotFound) || !errors.Is(&APIError{Op: "cancel", Status: 404}, ErrNotFound) {
		t.Error("a 404 to describe or cancel is a job that does not exist")
	}
	if errors.Is(&APIError{Op: "list", Status: 404}, ErrNotFound) || errors.Is(&APIError{Op: "create", Status: 404}, ErrNotFound) {
		t.Error("a 404 to list or create is a wrong endpoint, not a missing job")
	}
}

// The Code decides before the status: a 403 about the queue is not a configuration error.
func TestQueueCodesAreNotConfigErrors(t *testing.T) {
	saturated := &APIError{Op: "create", Status: 403, Code: CodeQueueSaturated}
	paused := &APIError{Op: "create", Status: 403, Code: CodeQueuePaused}
	denied := &APIError{Op: "create", Status: 403, Code: "AccessDenied"}
	if IsConfigError(saturated) || !IsRetryable(saturated) || IsUncertain(saturated) || !IsQueueSaturated(saturated) {
		t.Errorf("QueueSaturated: config %v retryable %v", IsConfigError(saturated), IsRetryable(saturated))
	}
	if IsConfigError(paused) || IsRetryable(paused) || !IsQueuePaused(paused) || IsQueueSaturated(paused) {
		t.Errorf("QueuePaused: config %v retryable %v", IsConfigError(paused), IsRetryable(paused))
	}
	if !IsConfigError(denied) || IsRetryable(denied) || IsQueuePaused(denied) {
		t.Errorf("AccessDenied: config %v", IsConfigError(denied))
	}
}
