package plan

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"reflect"
	"testing"
	"time"

	"github.com/planrun/planrun/plan/request"
)

// legacyDigest is the digest as planrun computed it before the canonical request existed,
// field by field (format v1). Kept here to prove that names did not change.
func legacyDigest(gen int, r *Request) string {
	b := appendField(nil, nameFormat)
	b = binary.BigEndian.AppendUint64(b, uint64(int64(gen)))
	for _, s := range []string{r.Plan, r.Job, r.Bucket, r.Region, r.Type, r.InputKind, r.Input, r.Workflow, r.StartText(), r.EndText()} {
		b = appendField(b, s)
	}
	nd := r.Node
	if nd == nil {
		b = append(b, 0)
	} else {
		b = append(b, 1)
		for _, s := range []string{nd.Tag, nd.TemplateID, nd.QueueID, nd.Callback, nd.UserData} {
			b = appendField(b, s)
		}
		if nd.JobLevel == nil {
			b = append(b, 0)
		} else {
			b = append(b, 1)
			b = binary.BigEndian.AppendUint64(b, uint64(int64(*nd.JobLevel)))
		}
		if nd.Output == nil {
			b = append(b, 0)
		} else {
			b = append(b, 1)
			for _, s := range []string{nd.Output.Region, nd.Output.Bucket, nd.Output.Object} {
				b = appendField(b, s)
			}
		}
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func TestDigestMatchesFormatV1(t *testing.T) {
	// State files hold names computed by the field-by-field digest of earlier releases;
	// the canonical request must give the same digest, or every plan would run again.
	for _, typ := range []string{"workflow", "job"} {
		for _, change := range []func(p *Plan){
			func(p *Plan) {},
			func(p *Plan) { p.Generation = 7 },
			func(p *Plan) {
				p.Jobs[0].Window.Every = &Step{Days: 1}
				p.Jobs[0].Window.End = p.Jobs[0].Window.Start.AddDate(0, 2, 0)
			},
			func(p *Plan) { p.Jobs[0].Window = nil; p.Jobs[0].Prefixes = []string{"a/", "b/"} },
			func(p *Plan) {
				if p.Jobs[0].Node != nil {
					p.Jobs[0].Node.JobLevel, p.Jobs[0].Node.Output = nil, nil
				}
			},
		} {
			p := namePlan(t, typ)
			change(p)
			n := 0
			for r := range p.Requests() {
				if want := legacyDigest(p.Generation, &r); r.Digest != want {
					t.Fatalf("%s: request %d: digest %s, format v1 gives %s", typ, r.Seq, r.Digest, want)
				}
				n++
			}
			if n == 0 {
				t.Fatalf("%s: no requests", typ)
			}
		}
	}
}

// mutate sets every digest-covered leaf of v (a struct) in turn to another value and
// calls check after each change, with the field's path; it restores the value after.
func mutate(t *testing.T, v reflect.Value, path string, check func(path string)) {
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if !f.IsExported() || f.Tag.Get("digest") == "-" {
			continue
		}
		fv := v.Field(i)
		p := path + "." + f.Name
		old := reflect.New(fv.Type()).Elem()
		old.Set(fv)
		switch {
		case fv.Type() == reflect.TypeFor[time.Time]():
			fv.Set(reflect.ValueOf(fv.Interface().(time.Time).Add(time.Minute)))
			check(p)
			fv.Set(reflect.ValueOf(time.Time{}))
			check(p + " (zero)")
		case fv.Kind() == reflect.String:
			fv.SetString(fv.String() + "x")
			check(p)
		case fv.Kind() == reflect.Int, fv.Kind() == reflect.Int64, fv.Kind() == reflect.Int32:
			fv.SetInt(fv.Int() + 1)
			check(p)
		case fv.Kind() == reflect.Pointer:
			if fv.IsNil() {
				fv.Set(reflect.New(fv.Type().Elem()))
				check(p + " (set)")
			} else {
				fv.Set(reflect.Zero(fv.Type()))
				check(p + " (nil)")
				fv.Set(old)
				if e := fv.Elem(); e.Kind() == reflect.Struct {
					cp := reflect.New(e.Type())
					cp.Elem().Set(e)
					fv.Set(cp)
					mutate(t, cp.Elem(), p, check)
				} else {
					cp := reflect.New(e.Type())
					cp.Elem().SetInt(e.Int() + 1)
					fv.Set(cp)
					check(p + " (value)")
				}
			}
		case fv.Kind() == reflect.Struct:
			mutate(t, fv, p, check)
		default:
			t.Errorf("%s: no mutation for kind %s: extend this test and canon.go", p, fv.Kind())
		}
		fv.Set(old)
	}
}

func TestCanonicalCoversEveryField(t *testing.T) {
	// Changing any field of a request that is not explicitly left out changes its digest
	// (and so its Name): a field added to Request, Node or Output is covered unasked.
	level := 1
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.FixedZone("", 8*3600))
	r := Request{Key: request.Key{Plan: "p", Job: "j", Bucket: "b-1", Region: "ap-beijing", Type: svcTypeJob,
		InputKind: InputPrefix, Input: "in/", Workflow: "w", Start: start, End: start.AddDate(0, 0, 1)},
		Node: &Node{Tag: "Transcode", TemplateID: "t1", QueueID: "p1", Callback: "no", UserData: "u",
			JobLevel: &level, Output: &Output{Region: "ap-beijing", Bucket: "o-1", Object: "o"}}}
	digest := func() string {
		sum := sha256.Sum256(appendCanonical(nil, &r))
		return hex.EncodeToString(sum[:])
	}
	base := digest()
	seen := map[string]string{base: "base"}
	n := 0
	mutate(t, reflect.ValueOf(&r).Elem(), "Request", func(path string) {
		n++
		d := digest()
		if other, dup := seen[d]; dup {
			t.Errorf("changing %s gives the digest of %s", path, other)
		}
		seen[d] = path
	})
	if d := digest(); d != base {
		t.Fatalf("mutate did not restore the request")
	}
	// 10 strings of Request; the node: nil, 5 strings, 2 job level changes, nil output
	// and its 3 strings. A new field only raises this count.
	if n < 22 {
		t.Errorf("only %d mutations walked", n)
	}
	// The fields left out are exactly the position, the Name and the Digest.
	var out []string
	for _, f := range reflect.VisibleFields(reflect.TypeFor[Request]()) {
		if f.Tag.Get("digest") == "-" {
			out = append(out, f.Name)
		}
	}
	if !reflect.DeepEqual(out, []string{"Seq", "Name", "Digest"}) {
		t.Errorf("fields left out of the digest: %v, want [Seq Name Digest]", out)
	}
}

func TestNamerMatchesCanonicalEverywhere(t *testing.T) {
	// The namer reuses buffers across requests: every request of a mixed expansion must
	// still carry the digest of its own canonical form.
	p := namePlan(t, "job")
	p.Jobs[0].Window.Every = &Step{Duration: time.Hour}
	p.Jobs = append(p.Jobs, namePlan(t, "workflow").Jobs[0])
	p.Jobs[1].Name = "other"
	p.Jobs[1].Prefixes = []string{"a/", "b/"}
	for r := range p.Requests() {
		b := appendField(nil, nameFormat)
		b = binary.BigEndian.AppendUint64(b, uint64(int64(p.Generation)))
		sum := sha256.Sum256(appendCanonical(b, &r))
		if got := hex.EncodeToString(sum[:]); got != r.Digest {
			t.Fatalf("request %d: digest %s, canonical form gives %s", r.Seq, r.Digest, got)
		}
	}
}
