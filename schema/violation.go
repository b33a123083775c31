package schema

import "strings"

// Violation is one way a document breaks the schema.
type Violation struct {
	// Pointer is the instance location, one element per step, e.g.
	// ["jobs", "2", "window", "every"]; empty for the document itself. For an unknown key
	// it names the key itself.
	Pointer []string
	// Message is short and written for a user, e.g. `unknown key "prefx"`.
	Message string
	// Keyword is the schema keyword that failed: "type", "required",
	// "additionalProperties", "pattern", "enum", ...
	Keyword string
}

// String renders v as "/jobs/2/window/every: message".
func (v Violation) String() string {
	return pointerString(v.Pointer) + ": " + v.Message
}

// pointerString renders a pointer in JSON Pointer syntax (RFC 6901).
func pointerString(p []string) string {
	var b strings.Builder
	for _, s := range p {
		b.WriteByte('/')
		s = strings.ReplaceAll(s, "~", "~0")
		b.WriteString(strings.ReplaceAll(s, "/", "~1"))
	}
	return b.String()
}

// splitPointer parses a JSON Pointer ("/jobs/0/name") into its unescaped steps.
func splitPointer(s string) []string {
	if s == "" {
		return []string{}
	}
	parts := strings.Split(strings.TrimPrefix(s, "/"), "/")
	for i, p := range parts {
		p = strings.ReplaceAll(p, "~1", "/")
		parts[i] = strings.ReplaceAll(p, "~0", "~")
	}
	return parts
}
