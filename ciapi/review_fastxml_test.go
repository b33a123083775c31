package ciapi

import (
	"encoding/xml"
	"reflect"
	"testing"
)

// Review: documents at the edges of the fast create decoder. Whatever the fast path does,
// decodeCreateResponse must give exactly what xml.Unmarshal gives (value and error-ness).
func TestReviewFastDecoderEdges(t *testing.T) {
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
