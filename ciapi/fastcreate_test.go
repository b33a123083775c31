package ciapi

import (
	"encoding/xml"
	"reflect"
	"strings"
	"testing"
)

// fullCreateResponse sets every field a create answer can carry.
func fullCreateResponse() *CreateResponse {
	lvl := 2
	return &CreateResponse{RequestId: "NjQ1ZjE2YWFfOTBmYTUwNjRfNWYyNF8x", JobsDetail: &JobDetail{
		Code: "Success", Message: "a <b> & 'c' \"d\"", Type: "Job", Name: "plan-job-20240101T0000-3f9c0a1b2d4e5f60",
		JobId: "bf1234567890abcdef1234567890abcde", Tag: "Transcode", Progress: "0%", State: "Submitted",
		CreationTime: "2024-01-01T00:00:00+0800", StartTime: "-", EndTime: "-", QueueId: "p893bcda225bf4945a378da6662e81a89",
		Input: &Input{Prefix: "input/video/", Object: "a.mp4", Manifest: "m", UrlFile: "u"},
		Operation: &Operation{WorkflowIds: "w7476ff3564ee45b7b490d64bccaba6cc",
			TimeInterval: &TimeInterval{Start: "2024-01-01T00:00:00+0800", End: "2024-01-02T00:00:00+0800"},
			QueueId:      "q", QueueType: "Speed", UserData: "backfill", JobLevel: &lvl, CallBackFormat: "JSON",
			CallBackType: "Url", CallBack: "https://hooks.example.com/ci?a=1&b=2",
			CallBackMqConfig: &CallBackMqConfig{MqRegion: "bj", MqMode: "Queue", MqName: "mq"}, Tag: "Transcode",
			JobParam: &JobParam{TemplateId: "t1460606b9752148c4ab182f55163ba7cd", TranscodeTemplateId: "t2"},
			Output:   &Output{Region: "ap-beijing", Bucket: "out-1250000000", Object: "out/${InputName}.mp4", AuObject: "au", SpriteObject: "sp"}},
	}}
}

// decodeBoth decodes data with the fast path (when it answers) and with encoding/xml.
func decodeBoth(t testing.TB, data []byte) (fast *CreateResponse, fastOK bool, ref *CreateResponse, refErr error) {
	t.Helper()
	ref = &CreateResponse{}
	refErr = xml.Unmarshal(data, ref)
	if root, ok := parseSimpleXML(data); ok {
		fast = &CreateResponse{}
		fastOK = fillCreateResponse(root, fast)
	}
	return fast, fastOK, ref, refErr
}

func TestDecodeCreateResponseFastPathMatchesEncodingXML(t *testing.T) {
	body, err := xml.Marshal(fullCreateResponse())
	if err != nil {
		t.Fatal(err)
	}
	indented, err := xml.MarshalIndent(fullCreateResponse(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	taken := map[string][]byte{
		"as the emulator sends it":   body,
		"with the XML declaration":   append([]byte(xml.Header), body...),
		"indented":                   indented,
		"minimal":                    []byte(`<Response><RequestId>r</RequestId><JobsDetail><JobId>j</JobId></JobsDetail></Response>`),
		"empty and self-closed":      []byte(`<Response><RequestId></RequestId><JobsDetail><Code/><Input/><JobId>j</JobId></JobsDetail></Response>`),
		"white space in a leaf kept": []byte(`<Response><JobsDetail><JobId> j </JobId><Operation><JobLevel> 1 </JobLevel></Operation></JobsDetail></Response>`),
		"character references":       []byte(`<Response><RequestId>&#65;&#x42;&#34;&#xA;&#9;&#13;</RequestId></Response>`),
		"empty job level is zero":    []byte(`<Response><JobsDetail><Operation><JobLevel></JobLevel></Operation></JobsDetail></Response>`),
	}
	for name, data := range taken {
		fast, ok, ref, refErr := decodeBoth(t, data)
		if refErr != nil {
			t.Fatalf("%s: encoding/xml: %v", name, refErr)
		}
		if !ok {
			t.Errorf("%s: the fast path did not answer", name)
			continue
		}
		if !reflect.DeepEqual(fast, ref) {
			t.Errorf("%s: fast path\n%+v\nencoding/xml\n%+v", name, fast, ref)
		}
	}
	var got CreateResponse
	want := fullCreateResponse()
	want.XMLName = xml.Name{Local: "Response"}
	if err := decodeCreateResponse(body, &got); err != nil || !reflect.DeepEqual(&got, want) {
		t.Errorf("round trip: %v\n%+v", err, got)
	}

	// Shapes the fast path leaves to encoding/xml (which may accept or refuse them).
	left := []string{
		`<Response><JobsDetail><JobId>j</JobId><Unknown>x</Unknown></JobsDetail></Response>`,
		`<Response><JobsDetail><JobId>a</JobId><JobId>b</JobId></JobsDetail></Response>`,
		`<Response xmlns="x"><RequestId>r</RequestId></Response>`,
		`<Response><RequestId><![CDATA[r]]></RequestId></Response>`,
		`<Response><!-- c --><RequestId>r</RequestId></Response>`,
		`<Response><RequestId>&#128;</RequestId></Response>`,
		`<Response><RequestId>&#0;</RequestId></Response>`,
		`<Response><RequestId>&#x;</RequestId></Response>`,
		`<Response><RequestId>&nbsp;</RequestId></Response>`,
		`<Response><RequestId>批量</RequestId></Response>`,
		`<Response><RequestId>a` + "\r\n" + `b</RequestId></Response>`,
		`<Response>text<RequestId>r</RequestId></Response>`,
		`<Other><RequestId>r</RequestId></Other>`,
		`<?xml version="1.0" encoding="ISO-8859-1"?><Response></Response>`,
		`<Response><JobsDetail><Operation><JobLevel>x</JobLevel></Operation></JobsDetail></Response>`,
		`<Response><RequestId>r</RequestId></Response>trailing`,
		`<Response><RequestId>r</RequestId>`,
		strings.Repeat("<a>", 20) + strings.Repeat("</a>", 20),
	}
	for _, s := range left {
		if _, ok, _, _ := decodeBoth(t, []byte(s)); ok {
			t.Errorf("the fast path answered for %q", s)
		}
		var a, b CreateResponse
		errA := decodeCreateResponse([]byte(s), &a)
		errB := xml.Unmarshal([]byte(s), &b)
		if (errA == nil) != (errB == nil) || !reflect.DeepEqual(a, b) {
			t.Errorf("decodeCreateResponse(%q) = %+v, %v; encoding/xml gives %+v, %v", s, a, errA, b, errB)
		}
	}
}

// FuzzDecodeCreateResponse holds the fast path to encoding/xml: whenever it answers,
// encoding/xml accepts the same input and decodes exactly the same value.
func FuzzDecodeCreateResponse(f *testing.F) {
	body, _ := xml.Marshal(fullCreateResponse())
	f.Add(body)
	f.Add(append([]byte(xml.Header), body...))
	f.Add([]byte(`<Response><RequestId>r</RequestId><JobsDetail><JobId> j </JobId><Input/></JobsDetail></Response>`))
	f.Add([]byte(`<Response><JobsDetail><Operation><JobLevel>+1</JobLevel></Operation></JobsDetail></Response>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, ok, ref, refErr := decodeBoth(t, data)
		if !ok {
			return
		}
		if refErr != nil {
			t.Fatalf("the fast path accepted what encoding/xml refuses (%v): %q", refErr, data)
		}
		if !reflect.DeepEqual(fast, ref) {
			t.Fatalf("fast path %+v, encoding/xml %+v, for %q", fast, ref, data)
		}
	})
}

func BenchmarkDecodeCreateResponse(b *testing.B) {
	body, err := xml.Marshal(fullCreateResponse())
	if err != nil {
		b.Fatal(err)
	}
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var r CreateResponse
			if err := decodeCreateResponse(body, &r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-xml", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var r CreateResponse
			if err := xml.Unmarshal(body, &r); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// Documents at the edges of the fast create decoder. Whatever the fast path does,
// decodeCreateResponse must give exactly what xml.Unmarshal gives (value and error-ness).
func TestFastDecoderEdges(t *testing.T) {
	const j = `<JobId>j</JobId>`
	docs := map[string]string{
		"attribute":              `<Response a="1"><JobsDetail>` + j + `</JobsDetail></Response>`,
		"attribute on leaf":      `<Response><JobsDetail><JobId x='y'>j</JobId></JobsDetail></Response>`,
		"namespace prefix":       `<x:Response xmlns:x="u"><x:JobsDetail>` + j + `</x:JobsDetail></x:Response>`,
		"comment":                `<Response><!--c--><JobsDetail>` + j + `</JobsDetail></Response>`,
		"comment in leaf":        `<Response><JobsDetail><JobId>a<!--c-->b</JobId></JobsDetail></Response>`,
		"processing instruction": `<?xml version="1.0" encoding="UTF-8"?><?pi data?><Response><JobsDetail>` + j + `</JobsDetail></Response>`,
		"CDATA":                  `<Response><JobsDetail><JobId><![CDATA[a<b]]></JobId></JobsDetail></Response>`,
		"hex references":         `<Response><JobsDetail><JobId>&#x62;&#x7F;&#x9;&#x20;</JobId></JobsDetail></Response>`,
		"upper X reference":      `<Response><JobsDetail><JobId>&#X62;</JobId></JobsDetail></Response>`,
		"NUL reference":          `<Response><JobsDetail><JobId>&#0;</JobId></JobsDetail></Response>`,
		"non-ASCII reference":    `<Response><JobsDetail><JobId>&#x6279;&#233;</JobId></JobsDetail></Response>`,
		"long reference":         `<Response><JobsDetail><JobId>&#x0000062;</JobId></JobsDetail></Response>`,
		"unknown entity":         `<Response><JobsDetail><JobId>&nbsp;</JobId></JobsDetail></Response>`,
		"bare ampersand":         `<Response><JobsDetail><JobId>a & b;</JobId></JobsDetail></Response>`,
		"invalid UTF-8":          "<Response><JobsDetail><JobId>\xff\xfe</JobId></JobsDetail></Response>",
		"non-ASCII text":         `<Response><JobsDetail><Name>批量任务</Name>` + j + `</JobsDetail></Response>`,
		"raw DEL":                "<Response><JobsDetail><JobId>a\x7fb</JobId></JobsDetail></Response>",
		"raw CR":                 "<Response>\r\n<JobsDetail><JobId>a\rb</JobId></JobsDetail></Response>",
		"control character":      "<Response><JobsDetail><JobId>a\x01b</JobId></JobsDetail></Response>",
		"BOM":                    "\xEF\xBB\xBF<Response><JobsDetail>" + j + "</JobsDetail></Response>",
		"trailing garbage":       `<Response><JobsDetail>` + j + `</JobsDetail></Response>junk<`,
		"leading text":           `junk<Response><JobsDetail>` + j + `</JobsDetail></Response>`,
		"other root":             `<Error><JobsDetail>` + j + `</JobsDetail></Error>`,
		"lower-case declaration": `<?xml version="1.0" encoding="utf-8"?><Response><JobsDetail>` + j + `</JobsDetail></Response>`,
		"space in end tag":       `<Response><JobsDetail>` + j + `</JobsDetail ></Response>`,
		"mismatched end tag":     `<Response><JobsDetail>` + j + `</Jobsdetail></Response>`,
		"unclosed":               `<Response><JobsDetail>` + j,
		"mixed content":          `<Response><JobsDetail>text` + j + `</JobsDetail></Response>`,
		"leaf with children":     `<Response><JobsDetail><JobId><x/>j</JobId></JobsDetail></Response>`,
		"repeated JobsDetail":    `<Response><JobsDetail>` + j + `</JobsDetail><JobsDetail><Name>n</Name></JobsDetail></Response>`,
		"repeated leaf":          `<Response><JobsDetail>` + j + `<JobId>k</JobId></JobsDetail></Response>`,
		"JobLevel plus sign":     `<Response><JobsDetail><Operation><JobLevel>+2</JobLevel></Operation></JobsDetail></Response>`,
		"JobLevel overflow":      `<Response><JobsDetail><Operation><JobLevel>99999999999999999999</JobLevel></Operation></JobsDetail></Response>`,
		"JobLevel underscore":    `<Response><JobsDetail><Operation><JobLevel>1_0</JobLevel></Operation></JobsDetail></Response>`,
		"deep nesting":           `<Response><JobsDetail><Operation><Output><a><b><c><d><e><f>x</f></e></d></c></b></a></Output></Operation></JobsDetail></Response>`,
		"empty TimeInterval":     `<Response><JobsDetail><Operation><TimeInterval></TimeInterval></Operation></JobsDetail></Response>`,
		"doctype":                `<!DOCTYPE Response><Response><JobsDetail>` + j + `</JobsDetail></Response>`,
	}
	for name, doc := range docs {
		var got, want CreateResponse
		gotErr := decodeCreateResponse([]byte(doc), &got)
		wantErr := xml.Unmarshal([]byte(doc), &want)
		if (gotErr == nil) != (wantErr == nil) || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: decodeCreateResponse = %+v, %v; xml.Unmarshal = %+v, %v", name, got.JobsDetail, gotErr, want.JobsDetail, wantErr)
		}
		if root, ok := parseSimpleXML([]byte(doc)); ok {
			var fast CreateResponse
			if fillCreateResponse(root, &fast) && (wantErr != nil || !reflect.DeepEqual(fast, want)) {
				t.Errorf("%s: fast path answered %+v, xml.Unmarshal %+v, %v", name, fast.JobsDetail, want.JobsDetail, wantErr)
			}
		}
	}
}

// The root errorShapedRoot hands to the create decoder is the one parseSimpleXML gives
// for the whole body (or none): decoding a create answer once gives what parsing it again
// gives, whatever space surrounds it.
func FuzzErrorShapedRootIsTheParse(f *testing.F) {
	body, _ := xml.Marshal(fullCreateResponse())
	for _, pad := range []string{"", " ", "\n", "\t \n", "\r\n", "\v", "\u00a0"} {
		f.Add([]byte(pad + string(body) + pad))
		f.Add([]byte(pad + xml.Header + string(body)))
	}
	f.Add([]byte(`<Response><Code>SlowDown</Code><Message>m</Message></Response>`))
	f.Add([]byte(`<Error><Code>x</Code></Error>` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		shaped, root := errorShapedRoot(data)
		if shaped != errorShaped(data) {
			t.Fatalf("errorShapedRoot says %v, errorShaped %v, for %q", shaped, !shaped, data)
		}
		if root == nil {
			return
		}
		again, ok := parseSimpleXML(data)
		if !ok || !reflect.DeepEqual(root, again) {
			t.Fatalf("the root of the error check differs from parseSimpleXML (ok=%v) for %q", ok, data)
		}
		var once, twice CreateResponse
		err1, err2 := decodeCreate(data, root, &once), decodeCreateResponse(data, &twice)
		if (err1 == nil) != (err2 == nil) || !reflect.DeepEqual(once, twice) {
			t.Fatalf("decoded with the root: %+v (%v); parsed again: %+v (%v)", once, err1, twice, err2)
		}
	})
}

// BenchmarkCreateAnswer is what the client does with the body of a create answer: the
// check for an error in disguise, then the decoding, reusing the parse of the check
// ("once") or parsing again ("twice", as before).
func BenchmarkCreateAnswer(b *testing.B) {
	body, err := xml.Marshal(fullCreateResponse())
	if err != nil {
		b.Fatal(err)
	}
	b.Run("once", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			shaped, root := errorShapedRoot(body)
			var r CreateResponse
			if err := decodeCreate(body, root, &r); shaped || err != nil {
				b.Fatal(shaped, err)
			}
		}
	})
	b.Run("twice", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			shaped := errorShaped(body)
			var r CreateResponse
			if err := decodeCreateResponse(body, &r); shaped || err != nil {
				b.Fatal(shaped, err)
			}
		}
	})
}
