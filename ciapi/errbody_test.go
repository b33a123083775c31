package ciapi

import "testing"

// The fast reading of an answer's root Code agrees with encoding/xml's whenever it
// answers, so a disguised error is recognised the same way on either path.
func FuzzRootCode(f *testing.F) {
	for _, s := range []string{
		"<Response><Code>SlowDown</Code></Response>",
		"<Error><Code>InternalError</Code><Message>m</Message></Error>",
		"<Response><JobsDetail><Code>Success</Code><JobId>j</JobId></JobsDetail></Response>",
		"<Response><Code>a&amp;b</Code><JobsDetail/></Response>",
		"<Response><Code>x</Code><Code>y</Code></Response>",
		`<?xml version="1.0" encoding="UTF-8"?><Response> <Code> x </Code> </Response>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		code, jobs, root := rootCodeSimple(b)
		if root == nil {
			return
		}
		xcode, xjobs := rootCodeXML(b)
		if code != xcode || jobs != xjobs {
			t.Fatalf("%q: fast path (%q, %v), encoding/xml (%q, %v)", b, code, jobs, xcode, xjobs)
		}
	})
}
