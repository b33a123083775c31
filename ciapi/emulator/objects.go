package emulator

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/planrun/planrun/ciapi"
)

// Defaults of ObjectOptions.
const (
	DefaultObjectsPerPrefix = 1000
	DefaultObjectsPerList   = 10
)

// Default upload-time range of the objects of a prefix: 2023 and 2024, Beijing time.
var (
	DefaultObjectsFrom  = time.Date(2023, 1, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	DefaultObjectsUntil = time.Date(2025, 1, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
)

// ObjectOptions describe the objects of every bucket and what happens to them when a
// batch job processes them. The zero value is a working set: DefaultObjectsPerPrefix
// objects under every prefix, none failing.
type ObjectOptions struct {
	// PerPrefix is how many objects each prefix holds; 0 means DefaultObjectsPerPrefix.
	// Their keys are deterministic (the same prefix always holds the same keys; some hold
	// spaces and non-ASCII characters) and their upload times are spread evenly over
	// [From, Until), so a TimeInterval selects the ones uploaded in it.
	PerPrefix int `json:"perPrefix,omitempty"`
	// From and Until bound the upload times; zero means DefaultObjectsFrom and
	// DefaultObjectsUntil.
	From  time.Time `json:"from,omitzero"`
	Until time.Time `json:"until,omitzero"`
	// PerList is how many objects a Manifest input, or a UrlFile input whose file was not
	// stored with PUT Object, yields (a deterministic set per URL); 0 means
	// DefaultObjectsPerList. A stored URL file yields the objects it lists.
	PerList int `json:"perList,omitempty"`
	// FailRate is the fraction of (object, workflow or tag) pairs whose first attempt
	// fails; which ones is a deterministic function of the object key and the workflow or tag.
	FailRate float64 `json:"failRate,omitempty"`
	// PermanentShare is the fraction of the failing pairs that fail on every attempt (with
	// codes of bad input); the others fail only on their first attempt (with transient
	// codes) and succeed when triggered again.
	PermanentShare float64 `json:"permanentShare,omitempty"`
	// PageSize caps the pages of the execution and node-job lists below the requested size;
	// 0 means no cap beyond the service's 100.
	PageSize int `json:"pageSize,omitempty"`
	// FullURLEvery, when n > 0, makes every n-th page of those lists (the n-th, 2n-th, ...)
	// name objects by full https://<bucket>.cos.<region>.myqcloud.com/<key> URLs.
	FullURLEvery int `json:"fullURLEvery,omitempty"`
	// LoopToken makes a list page asked for with a token answer that same token again.
	LoopToken bool `json:"loopToken,omitempty"`
	// DetailFailRate is the fraction of workflow executions whose detail call always
	// answers 500 InternalError (deterministic per RunId).
	DetailFailRate float64 `json:"detailFailRate,omitempty"`
}

func (o ObjectOptions) withDefaults() ObjectOptions {
	if o.PerPrefix <= 0 {
		o.PerPrefix = DefaultObjectsPerPrefix
	}
	if o.PerList <= 0 {
		o.PerList = DefaultObjectsPerList
	}
	if o.From.IsZero() {
		o.From = DefaultObjectsFrom
	}
	if o.Until.IsZero() || !o.Until.After(o.From) {
		o.Until = DefaultObjectsUntil
		if !o.Until.After(o.From) {
			o.Until = o.From.Add(365 * 24 * time.Hour)
		}
	}
	return o
}

// object is one object of a bucket.
type object struct {
	key      string
	uploaded time.Time
}

// prefixKey is the key of object i under prefix: most are "video-000123.mp4", every
// seventh has a space and parentheses, every eleventh is in Chinese.
func prefixKey(prefix string, i int) string {
	switch {
	case i%11 == 10:
		return fmt.Sprintf("%s视频-%06d.mp4", prefix, i)
	case i%7 == 6:
		return fmt.Sprintf("%sclip %06d (final).mp4", prefix, i)
	}
	return fmt.Sprintf("%svideo-%06d.mp4", prefix, i)
}

// uploadTime is when object i of n was uploaded.
func (o ObjectOptions) uploadTime(i int) time.Time {
	span := int64(o.Until.Sub(o.From) / time.Second)
	return o.From.Add(time.Duration(int64(i)*span/int64(o.PerPrefix)) * time.Second)
}

// indexAt is the first object index uploaded at or after t.
func (o ObjectOptions) indexAt(t time.Time) int {
	span := int64(o.Until.Sub(o.From) / time.Second)
	d := t.Sub(o.From)
	if d <= 0 {
		return 0
	}
	sec := int64((d + time.Second - 1) / time.Second) // ceil
	n := int64(o.PerPrefix)
	i := (sec*n + span - 1) / span // ceil(sec*n/span)
	return int(min(i, n))
}

// inputObjects calls fn for every object a Prefix, Manifest or (not stored) UrlFile input
// selects, in key order.
func (o ObjectOptions) inputObjects(in ciapi.Input, ti *ciapi.TimeInterval, now time.Time, fn func(object)) {
	switch {
	case in.Prefix != "":
		lo, hi := 0, o.PerPrefix
		if ti != nil && ti.Start != "" {
			if t, err := time.Parse(ciapi.TimeFormat, ti.Start); err == nil {
				lo = o.indexAt(t)
			}
		}
		end := now
		if ti != nil && ti.End != "" {
			if t, err := time.Parse(ciapi.TimeFormat, ti.End); err == nil {
				end = t
			}
		}
		hi = min(hi, o.indexAt(end))
		for i := lo; i < hi; i++ {
			fn(object{key: prefixKey(in.Prefix, i), uploaded: o.uploadTime(i)})
		}
	default: // a manifest or a URL file: a deterministic set per URL
		src := in.Manifest
		if src == "" {
			src = in.UrlFile
		}
		sum := md5.Sum([]byte(src))
		dir := "list-" + hex.EncodeToString(sum[:4]) + "/"
		for i := 0; i < o.PerList; i++ {
			fn(object{key: prefixKey(dir, i), uploaded: o.uploadTime(i % o.PerPrefix)})
		}
	}
}

// objectURL is the full COS URL of key in bucket.
func objectURL(bucket, region, key string) string { return ciapi.ObjectURL(bucket, region, key) }

// failure is an error an execution can end with.
type failure struct{ code, message string }

// Codes of permanent failures (bad input: they fail on every attempt) and of transient
// ones (they succeed when triggered again).
var (
	permanentFailures = []failure{
		{"InvalidMediaFile", "the input is not a valid media file: moov atom not found"},
		{"UnsupportedCodec", "the codec of the input's video stream is not supported"},
	}
	transientFailures = []failure{
		{"ResourceDownloadFailed", "downloading the input object failed: connection reset by peer"},
		{"InternalError", "an internal error occurred while processing; please retry"},
	}
)

// unit is a deterministic number in [0, 1) from the parts.
func unit(parts ...string) float64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return float64(h.Sum64()>>11) / float64(1<<53)
}

// outcome decides the fate of attempt number attempt (1-based) of object key through
// workflow or tag wf: nil for a success.
func (o ObjectOptions) outcome(key, wf string, attempt int) *failure {
	if o.FailRate <= 0 || unit("fail", key, wf) >= o.FailRate {
		return nil
	}
	pick := int(unit("code", key, wf) * 2)
	if o.PermanentShare > 0 && unit("permanent", key, wf) < o.PermanentShare {
		return &permanentFailures[pick]
	}
	if attempt > 1 {
		return nil
	}
	return &transientFailures[pick]
}

// Permanent reports whether every attempt of object key through workflow or tag wf fails.
func (o ObjectOptions) Permanent(key, wf string) bool {
	return o.FailRate > 0 && unit("fail", key, wf) < o.FailRate &&
		o.PermanentShare > 0 && unit("permanent", key, wf) < o.PermanentShare
}

// attemptKey is the attempt-counter key of an object through a workflow or tag.
func attemptKey(t target, key, wf string) string {
	return t.key() + "\x00" + wf + "\x00" + key
}
