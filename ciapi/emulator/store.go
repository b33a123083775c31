package emulator

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/md5"
	"encoding/hex"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/planrun/planrun/ciapi"
)

// Operations on stored objects (COS PUT and GET Object), keys of Stats.Calls and Stats.OK.
const (
	OpPutObject = "put-object"
	OpGetObject = "get-object"
)

// Bounds of the objects a Server stores (PUT Object): one body at most MaxObjectSize
// bytes (a larger one is refused with 400 EntityTooLarge), all bodies together at most
// MaxStoredBytes (beyond, 507 InsufficientStorage). They are held in memory and, with a
// state file (Options.StateFile), also kept on disk beside it (see objectsDir).
const (
	MaxObjectSize  = 16 << 20
	MaxStoredBytes = 256 << 20
)

// blobs holds the objects PUT into buckets; it is guarded by Server.mu.
type blobs struct {
	m     map[string][]byte // target key + "\x00" + object key -> body (never changed in place)
	total int
}

func blobKey(t target, key string) string { return t.key() + "\x00" + key }

// routeCOS names the object operation of a request to a COS host, and its key.
func routeCOS(r *http.Request) (op, key string) {
	key = strings.TrimPrefix(r.URL.Path, "/")
	switch r.Method {
	case http.MethodPut:
		return OpPutObject, key
	case http.MethodGet, http.MethodHead:
		return OpGetObject, key
	}
	return OpOther, key
}

// putObject answers PUT /<key> on a COS host: the body is stored under key, replacing
// the object of that key.
func (s *Server) putObject(r *http.Request, t target, key string) reply {
	if key == "" {
		return reply{err: errorf(http.StatusBadRequest, "InvalidURI", "PUT Object needs a key")}
	}
	if s.opts.DenyPutObject {
		return reply{err: errorf(http.StatusForbidden, ciapi.CodeAccessDenied, "Access Denied.")}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxObjectSize+1))
	switch {
	case err != nil:
		return reply{err: errorf(http.StatusBadRequest, "IncompleteBody", "read body: %v", err)}
	case len(body) > MaxObjectSize:
		return reply{err: errorf(http.StatusBadRequest, "EntityTooLarge", "the object is larger than the emulator's %d bytes", MaxObjectSize)}
	}
	if e := checkContentMD5(r, body); e != nil {
		return reply{err: e}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.blobs.m == nil {
		s.blobs.m = map[string][]byte{}
	}
	k := blobKey(t, key)
	if s.blobs.total-len(s.blobs.m[k])+len(body) > MaxStoredBytes {
		return reply{err: errorf(http.StatusInsufficientStorage, "InsufficientStorage", "the emulator stores at most %d bytes of objects", MaxStoredBytes)}
	}
	if err := s.saveBlob(k, body); err != nil {
		return reply{err: errorf(http.StatusInternalServerError, "InternalError", "%v", err)}
	}
	s.blobs.total += len(body) - len(s.blobs.m[k])
	s.blobs.m[k] = body
	sum := md5.Sum(body)
	return reply{etag: `"` + hex.EncodeToString(sum[:]) + `"`}
}

// getObject answers GET /<key> on a COS host with the stored body, or 404 NoSuchKey.
func (s *Server) getObject(t target, key string) reply {
	s.mu.Lock()
	body, ok := s.blob(blobKey(t, key))
	s.mu.Unlock()
	if !ok {
		return reply{err: errorf(http.StatusNotFound, ciapi.CodeNoSuchKey, "The specified key does not exist.")}
	}
	sum := md5.Sum(body)
	return reply{raw: body, etag: `"` + hex.EncodeToString(sum[:]) + `"`}
}

// Object returns the body stored under key in bucket (by PUT Object), and whether there is one.
func (s *Server) Object(bucket, region, key string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.blob(blobKey(target{bucket, region}, key))
	return bytes.Clone(b), ok
}

// StoredObject describes an object PUT into a Server, as returned by Server.Objects and
// GET /_emulator/objects.
type StoredObject struct {
	Bucket string `json:"bucket"`
	Region string `json:"region"`
	Key    string `json:"key"`
	Size   int    `json:"size"`
}

// Objects returns the objects PUT into s by this process, sorted by bucket, region and key.
func (s *Server) Objects() []StoredObject {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []StoredObject{}
	for k, b := range s.blobs.m {
		t, key, _ := strings.Cut(k, "\x00")
		bucket, region, _ := strings.Cut(t, "/")
		out = append(out, StoredObject{Bucket: bucket, Region: region, Key: key, Size: len(b)})
	}
	slices.SortFunc(out, func(a, b StoredObject) int {
		return cmp.Or(cmp.Compare(a.Bucket, b.Bucket), cmp.Compare(a.Region, b.Region), cmp.Compare(a.Key, b.Key))
	})
	return out
}

// blob returns the object k (blobKey): held in memory, or kept on disk by an earlier
// process (see objectsDir). s.mu must be held.
func (s *Server) blob(k string) ([]byte, bool) {
	if b, ok := s.blobs.m[k]; ok {
		return b, true
	}
	return s.loadBlob(k)
}

// listedFile returns the stored body that a UrlFile input names, when it is the URL of
// an object PUT into this emulator (any bucket's); s.mu must be held.
func (s *Server) listedFile(u string) ([]byte, bool) {
	rest, ok := cutScheme(u)
	if !ok {
		return nil, false
	}
	host, path, _ := strings.Cut(rest, "/")
	t, ok := parseCOSHost(host)
	if !ok {
		return nil, false
	}
	key, ok := ciapi.KeyOfURL(t.bucket, t.region, "https://"+ciapi.RealCOSHost(t.bucket, t.region)+"/"+path)
	if !ok {
		return nil, false
	}
	return s.blob(blobKey(t, key))
}

func cutScheme(u string) (string, bool) {
	for _, p := range []string{"https://", "http://"} {
		if len(u) >= len(p) && strings.EqualFold(u[:len(p)], p) {
			return u[len(p):], true
		}
	}
	return "", false
}

// Failure of a URL-file line that names no object of the batch job's bucket.
var badLine = failure{"InvalidUrl", "the line of the URL file is not the URL of an object of this bucket"}

// listedObjects calls fn for each line of a URL file, in order: the key of an object URL
// of bucket t, or (bad true) the line itself when it is anything else. Empty lines and a
// line's trailing "\r" are skipped.
func listedObjects(t target, body []byte, fn func(key string, bad bool)) {
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, MaxObjectSize+1)
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if line == "" {
			continue
		}
		if key, ok := ciapi.KeyOfURL(t.bucket, t.region, line); ok {
			fn(key, false)
		} else {
			fn(line, true)
		}
	}
}
