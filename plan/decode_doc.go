package plan

import (
	"fmt"
	"reflect"
	"sync"
)

// The typed plan document: the converted YAML decoded into structs once the schema has
// checked it (decodeDoc). Every key of the schema is a field here, tagged with its name
// (TestDocMatchesSchema holds the two together), so a new key is a schema property and a
// field, and the semantic checks read fields instead of looking keys up in maps.
//
// A value of the wrong type (which the schema has reported) leaves its field at the zero
// value; keys records every key written, whatever its value, so "set but invalid" and
// "not set" stay apart.

// keys is the set of keys written in one mapping of the plan: the converted mapping
// itself, so that decoding a mapping allocates no set of its own.
type keys map[string]any

// has reports whether key k is written.
func (k keys) has(name string) bool {
	_, ok := k[name]
	return ok
}

// planDoc is the whole plan file.
type planDoc struct {
	Keys        keys
	Version     any          `key:"version"`
	Name        string       `key:"name"`
	Description string       `key:"description"`
	Generation  *int         `key:"generation"` // nil when not a whole number that fits an int
	Defaults    *defaultsDoc `key:"defaults"`
	Jobs        []*jobDoc    `key:"jobs"` // nil entries: items that are not mappings
}

// defaultsDoc is the defaults block.
type defaultsDoc struct {
	Keys     keys
	Bucket   string `key:"bucket"`
	Region   string `key:"region"`
	Workflow string `key:"workflow"`
	Timezone string `key:"timezone"`
}

// jobDoc is one entry of jobs.
type jobDoc struct {
	Keys        keys
	Name        string     `key:"name"`
	Description string     `key:"description"`
	Type        string     `key:"type"`
	Bucket      string     `key:"bucket"`
	Region      string     `key:"region"`
	Timezone    string     `key:"timezone"`
	Workflow    string     `key:"workflow"`
	Workflows   []*string  `key:"workflows"` // nil entries: items that are not strings
	Prefix      string     `key:"prefix"`
	Prefixes    []*string  `key:"prefixes"`
	Manifest    string     `key:"manifest"`
	URLFile     string     `key:"url_file"`
	Object      string     `key:"object"`
	Window      *windowDoc `key:"window"`
	Job         *nodeDoc   `key:"job"`
}

// windowDoc is a job's window.
type windowDoc struct {
	Keys  keys
	Start string `key:"start"`
	End   string `key:"end"`
	Every string `key:"every"`
}

// nodeDoc is the job block of a type: job job.
type nodeDoc struct {
	Keys       keys
	Tag        string     `key:"tag"`
	TemplateID string     `key:"template_id"`
	QueueID    string     `key:"queue_id"`
	JobLevel   *int       `key:"job_level"`
	Callback   string     `key:"callback"`
	UserData   string     `key:"user_data"`
	Output     *outputDoc `key:"output"`
}

// outputDoc is where a node writes its results.
type outputDoc struct {
	Keys   keys
	Region string `key:"region"`
	Bucket string `key:"bucket"`
	Object string `key:"object"`
}

// decodeDoc decodes the converted document into a planDoc.
func decodeDoc(doc map[string]any) *planDoc {
	d := &planDoc{}
	decodeStruct(doc, reflect.ValueOf(d).Elem())
	return d
}

// docFields holds the field plan of each doc struct type, built once per type.
var docFields sync.Map // reflect.Type -> *docType

// docType is the field plan of one doc struct type: the index of each key tag's field and
// of the Keys field.
type docType struct {
	fields map[string]int
	keys   int
}

func fieldsOf(t reflect.Type) *docType {
	if m, ok := docFields.Load(t); ok {
		return m.(*docType)
	}
	dt := &docType{fields: map[string]int{}, keys: -1}
	for i := range t.NumField() {
		f := t.Field(i)
		if k := f.Tag.Get("key"); k != "" {
			dt.fields[k] = i
		}
		if f.Name == "Keys" {
			dt.keys = i
		}
	}
	if dt.keys < 0 {
		panic(fmt.Sprintf("plan: %s has no Keys field", t))
	}
	docFields.Store(t, dt)
	return dt
}

// decodeStruct fills the struct v from mapping m: the Keys field with every key, and each
// tagged field whose value has the right type.
func decodeStruct(m map[string]any, v reflect.Value) {
	dt := fieldsOf(v.Type())
	for k, x := range m {
		if i, ok := dt.fields[k]; ok {
			decodeValue(x, v.Field(i))
		}
	}
	v.Field(dt.keys).Set(reflect.ValueOf(keys(m)))
}

// decodeValue sets dst from x when x has the type dst needs; else it leaves dst alone.
func decodeValue(x any, dst reflect.Value) {
	switch dst.Kind() {
	case reflect.Interface:
		if x != nil {
			dst.Set(reflect.ValueOf(x))
		}
	case reflect.String:
		if s, ok := x.(string); ok {
			dst.SetString(s)
		}
	case reflect.Pointer:
		e := reflect.New(dst.Type().Elem())
		switch e.Elem().Kind() {
		case reflect.Int:
			n, ok := intValue(x)
			if !ok {
				return
			}
			e.Elem().SetInt(int64(n))
		case reflect.String:
			s, ok := x.(string)
			if !ok {
				return
			}
			e.Elem().SetString(s)
		case reflect.Struct:
			m, ok := x.(map[string]any)
			if !ok {
				return
			}
			decodeStruct(m, e.Elem())
		default:
			panic(fmt.Sprintf("plan: no decoding into %s", dst.Type()))
		}
		dst.Set(e)
	case reflect.Slice:
		list, ok := x.([]any)
		if !ok {
			return
		}
		s := reflect.MakeSlice(dst.Type(), len(list), len(list))
		for i, item := range list {
			decodeValue(item, s.Index(i))
		}
		dst.Set(s)
	default:
		panic(fmt.Sprintf("plan: no decoding into %s", dst.Type()))
	}
}
