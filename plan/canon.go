package plan

import (
	"encoding/binary"
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/planrun/planrun/plan/request"
)

// The canonical request is what a request's Digest is taken over: every field of Request,
// in declaration order, except those tagged `digest:"-"`. Fields are walked by reflection,
// so a field added to Request, Node or Output is covered without being listed anywhere:
//
//   - a string: its length as a uvarint, then its bytes;
//   - an int: 8 bytes, big endian, two's complement;
//   - a pointer: 0 for nil, else 1 followed by what it points to;
//   - a struct: its fields in declaration order, under the same rules (an embedded one,
//     such as the request.Key of a Request, adds no level to the trailer's paths);
//   - a time.Time (a window bound): as the string it is sent as (request.TimeLayout), ""
//     when zero.
//
// Any other kind is a programming error and panics (TestCanonicalCoversEveryField walks
// every type the canonical request reaches, so such a field fails the tests first).
//
// Fields added after format v1 carry the tag `digest:"omitempty"`. They are left out of
// the walk above and appended after it, each only when it is not its zero value, as its
// dotted path ("Node.Priority") then its value under the rules above. A request whose new
// fields are all empty therefore keeps the digest, and the Name, it had before the fields
// existed: adding a wire field does not rename, and so re-trigger, existing requests.
// TestNewFieldsAreOmitEmpty holds every field outside format v1 to that tag.

// canonField is one field of a struct type the canonical request reaches.
type canonField struct {
	index int
	kind  reflect.Kind
	elem  *canonType // the struct behind a struct or pointer-to-struct field
	ptr   bool       // the field is a pointer
	omit  bool       // tagged digest:"omitempty": in the trailer, and only when set
	name  string     // the field's name, for the trailer's paths ("" when embedded)
	time  bool       // a time.Time, serialised as its text
}

// timeType is the type of a window bound.
var timeType = reflect.TypeFor[time.Time]()

// canonType is the walk of one struct type.
type canonType struct {
	fields []canonField
}

var (
	canonMu    sync.Mutex
	canonTypes = map[reflect.Type]*canonType{}
	canonReq   = sync.OnceValue(func() *canonType { return canonOf(reflect.TypeFor[Request]()) })
)

// canonOf returns the walk of struct type t, building it once.
func canonOf(t reflect.Type) *canonType {
	canonMu.Lock()
	defer canonMu.Unlock()
	return canonOfLocked(t)
}

func canonOfLocked(t reflect.Type) *canonType {
	if ct, ok := canonTypes[t]; ok {
		return ct
	}
	ct := &canonType{}
	canonTypes[t] = ct
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("digest")
		if !f.IsExported() || tag == "-" {
			continue
		}
		cf := canonField{index: i, omit: tag == "omitempty", name: f.Name}
		if f.Anonymous {
			cf.name = ""
		}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			cf.ptr, ft = true, ft.Elem()
		}
		cf.kind = ft.Kind()
		switch {
		case ft == timeType:
			cf.kind, cf.time = reflect.String, true
		case cf.kind == reflect.String, cf.kind == reflect.Int, cf.kind == reflect.Int64, cf.kind == reflect.Int32:
		case cf.kind == reflect.Struct:
			cf.elem = canonOfLocked(ft)
		default:
			panic(fmt.Sprintf("plan: %s.%s: the canonical request has no rule for %s", t.Name(), f.Name, f.Type))
		}
		ct.fields = append(ct.fields, cf)
	}
	return ct
}

// appendCanonical appends the canonical serialisation of r.
func appendCanonical(b []byte, r *Request) []byte {
	v := reflect.ValueOf(r).Elem()
	b = canonReq().append(b, v)
	return canonReq().appendTrailer(b, v, "")
}

// appendTrailer appends, in walk order, each omitempty field of v (and of the structs v
// reaches) that is set: its dotted path, then its value.
func (ct *canonType) appendTrailer(b []byte, v reflect.Value, prefix string) []byte {
	for i := range ct.fields {
		f := &ct.fields[i]
		fv := v.Field(f.index)
		if f.omit {
			if !fv.IsZero() {
				b = appendField(b, prefix+f.name)
				b = ct.appendValue(b, f, fv)
			}
			continue
		}
		if f.elem == nil {
			continue
		}
		if f.ptr {
			if fv.IsNil() {
				continue
			}
			fv = fv.Elem()
		}
		sub := prefix
		if f.name != "" {
			sub += f.name + "."
		}
		b = f.elem.appendTrailer(b, fv, sub)
	}
	return b
}

// appendValue appends one set field of the trailer: a pointer's target, a struct's whole
// walk (its own trailer included), or a scalar.
func (ct *canonType) appendValue(b []byte, f *canonField, fv reflect.Value) []byte {
	if f.ptr {
		fv = fv.Elem()
	}
	switch f.kind {
	case reflect.String:
		return appendString(b, f, fv)
	case reflect.Struct:
		b = f.elem.append(b, fv)
		return f.elem.appendTrailer(b, fv, "")
	default:
		return binary.BigEndian.AppendUint64(b, uint64(fv.Int()))
	}
}

// append appends the fields of v, a struct of the type ct walks.
func (ct *canonType) append(b []byte, v reflect.Value) []byte {
	for i := range ct.fields {
		f := &ct.fields[i]
		if f.omit {
			continue // in the trailer
		}
		fv := v.Field(f.index)
		if f.ptr {
			if fv.IsNil() {
				b = append(b, 0)
				continue
			}
			b = append(b, 1)
			fv = fv.Elem()
		}
		switch f.kind {
		case reflect.String:
			b = appendString(b, f, fv)
		case reflect.Struct:
			b = f.elem.append(b, fv)
		default:
			b = binary.BigEndian.AppendUint64(b, uint64(fv.Int()))
		}
	}
	return b
}

// appendString appends the string of field f (a string, or a time as its text).
func appendString(b []byte, f *canonField, fv reflect.Value) []byte {
	if !f.time {
		return appendField(b, fv.String())
	}
	var tb [40]byte
	t := request.AppendTime(tb[:0], *fv.Addr().Interface().(*time.Time)) // addressable: no copy escapes
	b = binary.AppendUvarint(b, uint64(len(t)))
	return append(b, t...)
}

// appendField appends s with a length prefix, so that no two field lists serialise alike.
func appendField(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}
