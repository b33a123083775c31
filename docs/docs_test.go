// Package docs_test checks the ready-to-copy examples in docs/: every YAML file parses and has
// the structure its CI system or Kubernetes needs, every Markdown code block in JSON or YAML
// parses, every relative link resolves, and every planrun command line in docs/ uses only
// flags and formats that the real CLI (built from this module) accepts.
package docs_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	_ "github.com/planrun/planrun/internal/testflag" // accepts -update
)

// docFiles lists the files in docs/ with one of the given extensions.
func docFiles(t *testing.T, exts ...string) []string {
	t.Helper()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatalf("read docs dir: %v", err)
	}
	var out []string
	for _, e := range entries {
		for _, ext := range exts {
			if !e.IsDir() && strings.HasSuffix(e.Name(), ext) {
				out = append(out, e.Name())
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no %v files in docs/", exts)
	}
	return out
}

// loadYAML decodes every document of a YAML file (multi-document aware).
func loadYAML(t *testing.T, name string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return decodeAll(t, name, data)
}

func decodeAll(t *testing.T, name string, data []byte) []map[string]any {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []map[string]any
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: document %d: %v", name, len(docs)+1, err)
		}
		if doc != nil {
			docs = append(docs, doc)
		}
	}
	if len(docs) == 0 {
		t.Fatalf("%s: no YAML document", name)
	}
	return docs
}

// dig walks nested maps by key; it returns nil when a key is missing.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

// TestEveryYAMLParses decodes every YAML file in docs/ and checks each document is a mapping.
func TestEveryYAMLParses(t *testing.T) {
	for _, name := range docFiles(t, ".yml", ".yaml") {
		docs := loadYAML(t, name)
		for i, d := range docs {
			if len(d) == 0 {
				t.Errorf("%s: document %d is empty", name, i+1)
			}
		}
	}
}

var (
	fenceRE = regexp.MustCompile("(?ms)^```([a-z]*)\\n(.*?)^```")
	linkRE  = regexp.MustCompile(`\]\(([^)#\s]+)(#[^)]*)?\)`)
)

// TestMarkdownBlocksAndLinks parses every ```json and ```yaml block in docs/*.md and checks
// that relative links point at files that exist.
func TestMarkdownBlocksAndLinks(t *testing.T) {
	blocks := 0
	for _, name := range docFiles(t, ".md") {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range fenceRE.FindAllStringSubmatch(string(data), -1) {
			lang, body := m[1], m[2]
			switch lang {
			case "json":
				blocks++
				var v any
				if err := json.Unmarshal([]byte(body), &v); err != nil {
					t.Errorf("%s: json block does not parse: %v\n%s", name, err, body)
				}
			case "yaml", "yml":
				blocks++
				var v any
				if err := yaml.Unmarshal([]byte(body), &v); err != nil {
					t.Errorf("%s: yaml block does not parse: %v\n%s", name, err, body)
				}
			case "":
				t.Errorf("%s: a code block without a language: name one (sh, yaml, json, text)", name)
			}
		}
		for _, m := range linkRE.FindAllStringSubmatch(string(data), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			if _, err := os.Stat(filepath.FromSlash(target)); err != nil {
				t.Errorf("%s: link to %s: %v", name, target, err)
			}
		}
	}
	if blocks == 0 {
		t.Error("no json or yaml code blocks found: the fence pattern is broken")
	}
}
