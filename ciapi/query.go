package ciapi

import (
	"sort"
	"strings"
)

// hasPrefixFold reports whether s starts with prefix, ASCII case folded.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// encodeQuery renders the non-empty values of kv as a query, keys sorted, values
// percent-encoded as Encode does (so that every decoder agrees: "+" is "%2B").
func encodeQuery(kv map[string]string) string {
	keys := make([]string, 0, len(kv))
	for k, v := range kv {
		if v != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + Encode(kv[k])
	}
	return strings.Join(parts, "&")
}
