package ciapi

import (
	"context"
	"net/http"
	"net/http/httptrace"
	"testing"
)

// TestCallsReuseTheConnection: answers of known and of unknown length (chunked), read
// whole, leave the connection to the next call, so that sequential creates use one.
func TestCallsReuseTheConnection(t *testing.T) {
	body := `<Response><RequestId>r</RequestId><JobsDetail><Name>demo</Name><JobId>` + answerJobID + `</JobId><State>Running</State></JobsDetail></Response>`
	for _, chunked := range []bool{false, true} {
		f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
			if chunked {
				w.Header().Set("Content-Type", "application/xml")
				w.WriteHeader(200)
				w.Write([]byte(body[:10]))
				w.(http.Flusher).Flush()
				w.Write([]byte(body[10:]))
				return
			}
			xmlResponse(w, 200, body)
		})
		c := newTestClient(t, f, nil)
		reused := 0
		ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) {
			if i.Reused {
				reused++
			}
		}})
		for range 5 {
			if _, err := c.Create(ctx, testBucket, testRegion, &CreateRequest{Name: "demo", Input: Input{Prefix: "p"}}); err != nil {
				t.Fatal(err)
			}
		}
		if reused != 4 {
			t.Errorf("chunked %v: %d of 4 later calls reused the connection", chunked, reused)
		}
	}
}
