// Package schema holds the JSON Schema of planrun plan files (version 1), embedded from
// plan.schema.json, and validates decoded plan documents against it, turning the
// validator's nested errors into short, human messages located by JSON pointer.
// It imports no planrun package.
package schema

import (
	"bytes"
	_ "embed" // the schema file is embedded
	"encoding/json"
	"errors"
	"fmt"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// ID is the schema's absolute $id.
const ID = "https://planrun.dev/schema/plan.schema.json"

//go:embed plan.schema.json
var raw []byte

// JSON returns the schema file exactly as embedded (a copy the caller may modify).
func JSON() []byte {
	return bytes.Clone(raw)
}

// Validator checks decoded plan documents against the compiled schema. It is safe for
// concurrent use.
type Validator struct {
	schema *jsonschema.Schema
	doc    map[string]any // the schema itself, consulted to explain violations
	quick  *quick         // the fast yes for valid documents; nil when the schema uses a keyword it does not know
}

// New compiles the embedded schema. Call it once and reuse the Validator.
func New() (*Validator, error) {
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("parse plan schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft7
	if err := c.AddResource(ID, bytes.NewReader(raw)); err != nil {
		return nil, fmt.Errorf("load plan schema: %w", err)
	}
	s, err := c.Compile(ID)
	if err != nil {
		return nil, fmt.Errorf("compile plan schema: %w", err)
	}
	q, _ := compileQuick(doc) // on error every document takes the full validator
	return &Validator{schema: s, doc: doc, quick: q}, nil
}

// Validate checks doc, a JSON-compatible value (map[string]any, []any, string, bool, nil,
// and Go numbers), and returns every violation, or nil when doc is valid. Nested schema
// errors are flattened to their leaf causes; each unknown key is reported at the key's
// own position.
func (v *Validator) Validate(doc any) []Violation {
	if v.quick != nil && v.quick.ok(doc) {
		return nil
	}
	err := v.schema.Validate(doc)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []Violation{{Message: err.Error()}}
	}
	var out []Violation
	seen := map[string]bool{}
	for _, leaf := range leaves(ve, nil) {
		for _, vi := range v.explain(leaf, doc) {
			k := vi.String()
			if !seen[k] {
				seen[k] = true
				out = append(out, vi)
			}
		}
	}
	return out
}

// leaves appends the leaf causes of ve to dst.
func leaves(ve *jsonschema.ValidationError, dst []*jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(ve.Causes) == 0 {
		return append(dst, ve)
	}
	for _, c := range ve.Causes {
		dst = leaves(c, dst)
	}
	return dst
}
