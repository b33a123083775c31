package ciapi

import (
	"bytes"
	"encoding/xml"
	"testing"
)

// createRequests are requests of every shape planrun sends, and some it never does.
func createRequests() []*CreateRequest {
	lvl, zero := 2, 0
	return []*CreateRequest{
		{},
		{Name: "plan-job-20240101T0000-3f9c0a1b2d4e5f60", Type: TypeWorkflow, Input: Input{Prefix: "input/video/"},
			Operation: Operation{WorkflowIds: "w7476ff3564ee45b7b490d64bccaba6cc",
				TimeInterval: &TimeInterval{Start: "2024-01-01T00:00:00+0800", End: "2024-01-02T00:00:00+0800"}}},
		{Name: "n", Type: TypeJob, Input: Input{Object: "input/批量 任务 <1> & 'x' \"y\"\t\n\r.mp4"},
			Operation: Operation{Tag: "Transcode", QueueId: "p893", UserData: "u\x00\xff\xfe", JobLevel: &lvl,
				CallBack: "https://hooks.example.com/ci?a=1&b=2", JobParam: &JobParam{TemplateId: "t1"},
				Output: &Output{Region: "ap-beijing", Bucket: "out-1250000000", Object: "out/${InputName}.mp4"}}},
		{Name: "all", Type: TypeJob, Input: Input{Manifest: "m", UrlFile: "u", Prefix: "p", Object: "o"},
			Operation: Operation{WorkflowIds: "w", TimeInterval: &TimeInterval{}, QueueId: "q", QueueType: "Speed",
				UserData: "d", JobLevel: &zero, CallBackFormat: "JSON", CallBackType: "Url", CallBack: "c",
				CallBackMqConfig: &CallBackMqConfig{MqRegion: "bj", MqMode: "Queue", MqName: "mq"}, Tag: "t",
				JobParam: &JobParam{TranscodeTemplateId: "tt"},
				Output:   &Output{AuObject: "au", SpriteObject: "sp"}}},
		{Operation: Operation{CallBackMqConfig: &CallBackMqConfig{}, JobParam: &JobParam{}, Output: &Output{}}},
	}
}

func TestXMLBodyMatchesMarshal(t *testing.T) {
	for i, r := range createRequests() {
		want, err := xml.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.XMLBody(); !bytes.Equal(got, want) {
			t.Errorf("request %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

// FuzzXMLBody holds XMLBody to xml.Marshal for arbitrary field values.
func FuzzXMLBody(f *testing.F) {
	f.Add("plan-job-3f9c", "input/video/", "2024-01-01T00:00:00+0800", "t1", "https://x/?a=1&b=2", -1)
	f.Add("", "批量 <&>\"'", "\t\n\r", "\x00\xff", "]]>", 2)
	f.Fuzz(func(t *testing.T, name, input, start, tmpl, callback string, level int) {
		r := &CreateRequest{Name: name, Type: TypeJob, Input: Input{Prefix: input},
			Operation: Operation{TimeInterval: &TimeInterval{Start: start, End: input}, CallBack: callback,
				Tag: name, JobParam: &JobParam{TemplateId: tmpl}, Output: &Output{Object: callback}}}
		if level >= 0 {
			r.Operation.JobLevel = &level
		}
		want, err := xml.Marshal(r)
		if err != nil {
			t.Skip()
		}
		if got := r.XMLBody(); !bytes.Equal(got, want) {
			t.Fatalf("\n got %s\nwant %s", got, want)
		}
	})
}

func BenchmarkCreateBody(b *testing.B) {
	r := createRequests()[1]
	b.Run("XMLBody", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = r.XMLBody()
		}
	})
	b.Run("xml.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := xml.Marshal(r); err != nil {
				b.Fatal(err)
			}
		}
	})
}
