package plan

import (
	"bytes"
	"reflect"
	"slices"
	"testing"
)

// Two versions of one wire struct: v2 adds fields, as a release that learns a new
// service field would.
type canonV1 struct {
	Tag      string
	JobLevel *int
	Output   *Output
}

type canonV2 struct {
	Tag      string
	JobLevel *int
	Priority string `digest:"omitempty"`
	Output   *Output
	Extra    *Output `digest:"omitempty"`
	Count    int     `digest:"omitempty"`
}

func canonBytes(v any) []byte {
	rv := reflect.ValueOf(v).Elem()
	ct := canonOf(rv.Type())
	return ct.appendTrailer(ct.append(nil, rv), rv, "")
}

func TestAnEmptyNewFieldLeavesTheDigestAlone(t *testing.T) {
	level := 2
	for _, c := range []struct {
		v1 canonV1
		v2 canonV2
	}{
		{canonV1{}, canonV2{}},
		{canonV1{Tag: "Transcode", JobLevel: &level}, canonV2{Tag: "Transcode", JobLevel: &level}},
		{canonV1{Output: &Output{Region: "ap-beijing", Bucket: "o-1", Object: "x"}},
			canonV2{Output: &Output{Region: "ap-beijing", Bucket: "o-1", Object: "x"}}},
	} {
		if a, b := canonBytes(&c.v1), canonBytes(&c.v2); !bytes.Equal(a, b) {
			t.Errorf("%+v: adding empty fields changed the canonical bytes:\n%x\n%x", c.v1, a, b)
		}
	}
	base := canonBytes(&canonV2{Tag: "Transcode"})
	seen := map[string]bool{string(base): true}
	for _, v := range []canonV2{
		{Tag: "Transcode", Priority: "high"},
		{Tag: "Transcode", Extra: &Output{}},
		{Tag: "Transcode", Extra: &Output{Object: "high"}},
		{Tag: "Transcode", Count: 1},
		{Tag: "Transcodehigh"},
	} {
		b := canonBytes(&v)
		if seen[string(b)] {
			t.Errorf("%+v serialises like an earlier value: a set field must change the digest", v)
		}
		seen[string(b)] = true
	}
}

// v1Fields are the fields of the canonical request as of format v1: serialised always,
// in order (a Request's embedded request.Key adds its fields in place; InputValue has
// since been renamed Input). A field added since must be tagged digest:"omitempty" (or
// digest:"-"), so that existing requests keep their names; this test fails for one that
// is not.
var v1Fields = map[string][]string{
	"Request": {"Plan", "Job", "Bucket", "Region", "Type", "InputKind", "Input", "Workflow", "Start", "End", "Node"},
	"Node":    {"Tag", "TemplateID", "QueueID", "Callback", "UserData", "JobLevel", "Output"},
	"Output":  {"Region", "Bucket", "Object"},
}

func TestNewFieldsAreOmitEmpty(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeFor[Request](), reflect.TypeFor[Node](), reflect.TypeFor[Output]()} {
		var got []string
		var walk func(typ reflect.Type)
		walk = func(typ reflect.Type) {
			for i := range typ.NumField() {
				f := typ.Field(i)
				switch tag := f.Tag.Get("digest"); {
				case !f.IsExported() || tag == "-" || tag == "omitempty":
				case f.Anonymous:
					walk(f.Type)
				default:
					got = append(got, f.Name)
				}
			}
		}
		walk(typ)
		if want := v1Fields[typ.Name()]; !slices.Equal(got, want) {
			t.Errorf("%s: fields always in the digest are %v, format v1 has %v: tag a new field digest:\"omitempty\" "+
				"(or digest:\"-\"), and never reorder or remove a v1 field", typ.Name(), got, want)
		}
	}
}
