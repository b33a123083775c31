package ciapi

import (
	"net/url"
	"sort"
	"strings"
)

// ObjectKey returns the bare object key of what the service names an object: a key as is
// ("dir/video1.mp4"), or a full object URL ("https://<bucket>.cos.<region>.myqcloud.com/dir/
// video1.mp4", its path percent-encoded or not) turned into its key. A URL that was itself
// percent-encoded as a whole ("https%3A%2F%2F...") is decoded first. A leading "/" of a
// key is dropped. Older samples of the execution list show full URLs, newer ones bare keys:
// every object of a result goes through here.
func ObjectKey(s string) string {
	s = strings.TrimSpace(s)
	if hasPrefixFold(s, "http%3a%2f%2f") || hasPrefixFold(s, "https%3a%2f%2f") {
		if d, err := url.QueryUnescape(s); err == nil {
			s = d
		}
	}
	if !hasPrefixFold(s, "http://") && !hasPrefixFold(s, "https://") {
		return strings.TrimPrefix(s, "/")
	}
	rest := s[strings.Index(s, "//")+2:]
	i := strings.IndexByte(rest, '/')
	if i < 0 {
		return ""
	}
	path := rest[i+1:]
	if j := strings.IndexAny(path, "?#"); j >= 0 {
		path = path[:j]
	}
	if d, err := url.PathUnescape(path); err == nil {
		path = d
	}
	return path
}

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
