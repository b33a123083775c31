package emulator

import (
	"net/http"
	"strings"
	"testing"

	"github.com/planrun/planrun/ciapi"
)

func intp(n int) *int { return &n }

func transcodeJob() ciapi.CreateRequest {
	return ciapi.CreateRequest{Name: "demo", Type: ciapi.TypeJob, Input: ciapi.Input{Prefix: "input"},
		Operation: ciapi.Operation{Tag: "Transcode", JobParam: &ciapi.JobParam{TemplateId: "t1460606b9752148c4ab182f55163ba7cd"},
			Output: &ciapi.Output{Region: "ap-chongqing", Bucket: "test-1234567890", Object: "out/${InventoryTriggerJobId}.mp4"}}}
}

func TestValidationRules(t *testing.T) {
	rn := start(t, Options{Workflows: []string{testWorkflow}})
	c := newClient(t, rn)
	tests := []struct {
		name  string
		edit  func(*ciapi.CreateRequest)
		field string
	}{
		{"name missing", func(r *ciapi.CreateRequest) { r.Name = "" }, "Request.Name"},
		{"name too long", func(r *ciapi.CreateRequest) { r.Name = strings.Repeat("a", 129) }, "Request.Name"},
		{"name too long in runes", func(r *ciapi.CreateRequest) { r.Name = strings.Repeat("批", 129) }, "Request.Name"},
		{"name with dot", func(r *ciapi.CreateRequest) { r.Name = "a.b" }, "Request.Name"},
		{"name with space", func(r *ciapi.CreateRequest) { r.Name = "a b" }, "Request.Name"},
		{"bad type", func(r *ciapi.CreateRequest) { r.Type = "workflow" }, "Request.Type"},
		{"no input", func(r *ciapi.CreateRequest) { r.Input = ciapi.Input{} }, "Request.Input"},
		{"two inputs", func(r *ciapi.CreateRequest) { r.Input.Object = "a.mp4" }, "Request.Input"},
		{"bad start", func(r *ciapi.CreateRequest) {
			r.Operation.TimeInterval = &ciapi.TimeInterval{Start: "2024-01-01T00:00:00+08:00"}
		}, "Request.Operation.TimeInterval.Start"},
		{"bad end", func(r *ciapi.CreateRequest) {
			r.Operation.TimeInterval = &ciapi.TimeInterval{End: "2024-01-01 00:00:00"}
		}, "Request.Operation.TimeInterval.End"},
		{"start not before end", func(r *ciapi.CreateRequest) {
			r.Operation.TimeInterval = &ciapi.TimeInterval{Start: "2024-01-02T00:00:00+0800", End: "2024-01-01T00:00:00+0800"}
		}, "Request.Operation.TimeInterval"},
		{"workflow missing", func(r *ciapi.CreateRequest) { r.Operation.WorkflowIds = "" }, "Request.Operation.WorkflowIds"},
		{"workflow malformed", func(r *ciapi.CreateRequest) { r.Operation.WorkflowIds = "W7476FF3564EE45B7B490D64BCCABA6CC" }, "Request.Operation.WorkflowIds"},
		{"workflow list", func(r *ciapi.CreateRequest) { r.Operation.WorkflowIds = testWorkflow + "," + testWorkflow }, "Request.Operation.WorkflowIds"},
		{"workflow unknown", func(r *ciapi.CreateRequest) { r.Operation.WorkflowIds = "w0000000000000000000000000000000a" }, "does not exist"},
		{"type omitted is workflow", func(r *ciapi.CreateRequest) { r.Type = ""; r.Operation.WorkflowIds = "" }, "Request.Operation.WorkflowIds"},
	}
	jobTests := []struct {
		name  string
		edit  func(*ciapi.CreateRequest)
		field string
	}{
		{"tag missing", func(r *ciapi.CreateRequest) { r.Operation.Tag = "" }, "Request.Operation.Tag"},
		{"tag unknown", func(r *ciapi.CreateRequest) { r.Operation.Tag = "transcode" }, "Request.Operation.Tag"},
		{"jobparam missing", func(r *ciapi.CreateRequest) { r.Operation.JobParam = nil }, "Request.Operation.JobParam"},
		{"output missing", func(r *ciapi.CreateRequest) { r.Operation.Output = nil }, "Request.Operation.Output"},
		{"output region", func(r *ciapi.CreateRequest) { r.Operation.Output.Region = "" }, "Request.Operation.Output.Region"},
		{"output bucket", func(r *ciapi.CreateRequest) { r.Operation.Output.Bucket = "" }, "Request.Operation.Output.Bucket"},
		{"output object", func(r *ciapi.CreateRequest) { r.Operation.Output.Object = "" }, "Request.Operation.Output.Object"},
		{"job level", func(r *ciapi.CreateRequest) { r.Operation.JobLevel = intp(3) }, "Request.Operation.JobLevel"},
		{"negative job level", func(r *ciapi.CreateRequest) { r.Operation.JobLevel = intp(-1) }, "Request.Operation.JobLevel"},
		{"queue type", func(r *ciapi.CreateRequest) { r.Operation.QueueType = "Normal" }, "Request.Operation.QueueType"},
		{"callback format", func(r *ciapi.CreateRequest) { r.Operation.CallBackFormat = "YAML" }, "Request.Operation.CallBackFormat"},
		{"callback type", func(r *ciapi.CreateRequest) { r.Operation.CallBackType = "Kafka" }, "Request.Operation.CallBackType"},
		{"tdmq config", func(r *ciapi.CreateRequest) { r.Operation.CallBackType = "TDMQ" }, "Request.Operation.CallBackMqConfig"},
	}
	for _, jt := range jobTests {
		edit := jt.edit
		tests = append(tests, struct {
			name  string
			edit  func(*ciapi.CreateRequest)
			field string
		}{"job " + jt.name, func(r *ciapi.CreateRequest) { *r = transcodeJob(); edit(r) }, jt.field})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := workflowJob("valid-name", "input/")
			tt.edit(&req)
			e := c.apiErr(http.StatusBadRequest, http.MethodPost, "/inventorytriggerjob", mustXML(t, req))
			if e.Code != "InvalidArgument" || !strings.Contains(e.Message, tt.field) {
				t.Errorf("got %s %q, want InvalidArgument naming %s", e.Code, e.Message, tt.field)
			}
		})
	}
	if n := len(rn.Server.Jobs()); n != 0 {
		t.Errorf("%d jobs created by invalid requests", n)
	}
}

func TestValidBodiesAccepted(t *testing.T) {
	rn := start(t, Options{})
	c := newClient(t, rn)
	bodies := map[string]string{
		// The official SDK test's Job-variant body, verbatim.
		"sdk job":                  `<Request><Name>demo</Name><Type>Job</Type><Input><Prefix>input</Prefix></Input><Operation><TimeInterval><Start>2022-02-01T12:00:00+0800</Start><End>2022-05-01T12:00:00+0800</End></TimeInterval><QueueId>p893bcda225bf4945a378da6662e81a89</QueueId><UserData>this is my inventorytriggerjob</UserData><JobLevel>1</JobLevel><CallBack>https://www.callback.com</CallBack><Tag>Transcode</Tag><JobParam><TemplateId>t1460606b9752148c4ab182f55163ba7cd</TemplateId></JobParam><Output><Region>ap-chongqing</Region><Bucket>test-1234567890</Bucket><Object>output/${InventoryTriggerJobId}/out.mp4</Object></Output></Operation></Request>`,
		"empty interval, no type":  `<Request><Name>demo</Name><Input><Prefix>input</Prefix></Input><Operation><WorkflowIds>` + testWorkflow + `</WorkflowIds><TimeInterval></TimeInterval></Operation></Request>`,
		"interval on object":       `<Request><Name>demo</Name><Type>Workflow</Type><Input><Object>a.mp4</Object></Input><Operation><WorkflowIds>` + testWorkflow + `</WorkflowIds><TimeInterval><Start>2022-02-01T12:00:00+0800</Start></TimeInterval></Operation></Request>`,
		"chinese name with dash":   `<?xml version="1.0" encoding="UTF-8"?><Request><Name>批量_任务—1-a</Name><Input><Manifest>https://x/manifest.json</Manifest></Input><Operation><WorkflowIds>` + testWorkflow + `</WorkflowIds></Operation></Request>`,
		"mediainfo without output": `<Request><Name>mi</Name><Type>Job</Type><Input><UrlFile>https://x/urls.txt</UrlFile></Input><Operation><Tag>MediaInfo</Tag><JobParam><TemplateId>t1</TemplateId></JobParam></Operation></Request>`,
		"typo tag":                 `<Request><Name>a</Name><Type>Job</Type><Input><Prefix>p</Prefix></Input><Operation><Tag>VoiceSpearte</Tag><JobParam/><Output><Region>r</Region><Bucket>b-1</Bucket><AuObject>x</AuObject></Output></Operation></Request>`,
		"name of 128 runes":        `<Request><Name>` + strings.Repeat("批", 128) + `</Name><Input><Prefix>p</Prefix></Input><Operation><WorkflowIds>` + testWorkflow + `</WorkflowIds></Operation></Request>`,
	}
	for name, body := range bodies {
		status, _, resp := c.call(http.MethodPost, "/inventorytriggerjob", []byte(body))
		if status != http.StatusOK {
			t.Errorf("%s: %d %s", name, status, resp)
		}
	}
	var ok ciapi.CreateResponse
	_, _, resp := c.call(http.MethodPost, "/inventorytriggerjob", []byte(bodies["sdk job"]))
	mustUnmarshal(t, resp, &ok)
	d := ok.JobsDetail
	if d.Type != ciapi.TypeJob || d.Name != "demo" || d.Operation.Tag != "Transcode" || *d.Operation.JobLevel != 1 ||
		d.Operation.TimeInterval.Start != "2022-02-01T12:00:00+0800" || d.Operation.Output.Bucket != "test-1234567890" ||
		!strings.HasSuffix(d.CreationTime, "+0800") {
		t.Errorf("echo %+v %+v", d, d.Operation)
	}
}

func TestBodyErrors(t *testing.T) {
	rn := start(t, Options{})
	c := newClient(t, rn)
	if e := c.apiErr(http.StatusBadRequest, http.MethodPost, "/inventorytriggerjob", []byte("<Request><Name>")); e.Code != "InvalidContent" || !strings.Contains(e.Message, "MalformedXML") {
		t.Errorf("malformed: %s %q", e.Code, e.Message)
	}
	if e := c.apiErr(http.StatusBadRequest, http.MethodPost, "/inventorytriggerjob", []byte("<Other/>")); e.Code != "InvalidContent" {
		t.Errorf("wrong root: %s %q", e.Code, e.Message)
	}
	if e := c.apiErr(http.StatusBadRequest, http.MethodPost, "/inventorytriggerjob", nil); e.Code != "MissingContent" {
		t.Errorf("empty: %s %q", e.Code, e.Message)
	}
	req := c.request(http.MethodPost, "/inventorytriggerjob", mustXML(t, workflowJob("a", "p")))
	req.Header.Set("Content-MD5", md5Base64([]byte("something else")))
	status, h, body := c.do(c.sign(req))
	if e := decodeErr(t, http.StatusBadRequest, status, h, body); e.Code != "InvalidContent" || !strings.Contains(e.Message, "Content-MD5") {
		t.Errorf("md5: %s %q", e.Code, e.Message)
	}
}

func TestSameNameCreatesTwoJobs(t *testing.T) {
	rn := start(t, Options{})
	c := newClient(t, rn)
	a := c.create(workflowJob("same", "in/"))
	b := c.create(workflowJob("same", "in/"))
	if a.JobId == b.JobId || len(rn.Server.Jobs()) != 2 {
		t.Fatalf("ids %s %s, jobs %d", a.JobId, b.JobId, len(rn.Server.Jobs()))
	}
}
