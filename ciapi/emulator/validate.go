package emulator

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/planrun/planrun/ciapi"
)

// tags are the documented Operation.Tag values, the doc's typos (Animatin, VoiceSpearte)
// included, plus ImageInspect used by the official Python demo.
var tags = []string{"Animatin", "Animation", "SmartCover", "Transcode", "Snapshot",
	"SpeechRecognition", "Concat", "VoiceSpearte", "VoiceSeparate", "VideoMontage", "SDRtoHDR",
	"VideoProcess", "SuperResolution", "Segment", "VideoTag", "PicProcess", "DigitalWatermark",
	"ExtractDigitalWatermark", "MediaInfo", "StreamExtract", "Tts", "NoiseReduction",
	"QualityEstimate", "ImageInspect"}

// noOutputTags need no Operation.Output.
var noOutputTags = []string{"VideoTag", "ExtractDigitalWatermark", "MediaInfo", "QualityEstimate"}

// noObjectTags need no Output.Object.
var noObjectTags = []string{"Snapshot", "VoiceSeparate", "VoiceSpearte", "StreamExtract"}

var workflowID = regexp.MustCompile(`^w[0-9a-f]{32}$`)

// validName reports whether n is 1..128 runes of ASCII letters, digits, CJK, '-', '_' or '—'.
func validName(n string) bool {
	if n == "" || utf8.RuneCountInString(n) > 128 {
		return false
	}
	for _, r := range n {
		ok := r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) ||
			r == '-' || r == '_' || r == '—' || unicode.Is(unicode.Han, r)
		if !ok {
			return false
		}
	}
	return true
}

// validate applies the documented rules of a create body; the message names the field.
func (s *Server) validate(req *ciapi.CreateRequest) *apiError {
	if req.Name == "" {
		return invalidArgument("Request.Name", "is required")
	}
	if !validName(req.Name) {
		return invalidArgument("Request.Name", "%q must be at most 128 letters, digits, Chinese characters, '-', '—' or '_'", req.Name)
	}
	if req.Type != "" && req.Type != ciapi.TypeWorkflow && req.Type != ciapi.TypeJob {
		return invalidArgument("Request.Type", "%q is not Workflow or Job", req.Type)
	}
	in := req.Input
	set := 0
	for _, v := range []string{in.Manifest, in.UrlFile, in.Prefix, in.Object} {
		if v != "" {
			set++
		}
	}
	if set != 1 {
		return invalidArgument("Request.Input", "exactly one of Manifest, UrlFile, Prefix and Object is required (got %d)", set)
	}
	op := &req.Operation
	if err := validateInterval(op.TimeInterval); err != nil {
		return err
	}
	if req.Type == ciapi.TypeJob {
		return validateJob(op)
	}
	return s.validateWorkflow(op)
}

func validateInterval(ti *ciapi.TimeInterval) *apiError {
	if ti == nil {
		return nil
	}
	var start, end time.Time
	var err error
	if ti.Start != "" {
		if start, err = time.Parse(ciapi.TimeFormat, ti.Start); err != nil {
			return invalidArgument("Request.Operation.TimeInterval.Start", "%q is not %%Y-%%m-%%dT%%H:%%M:%%S%%z", ti.Start)
		}
	}
	if ti.End != "" {
		if end, err = time.Parse(ciapi.TimeFormat, ti.End); err != nil {
			return invalidArgument("Request.Operation.TimeInterval.End", "%q is not %%Y-%%m-%%dT%%H:%%M:%%S%%z", ti.End)
		}
	}
	if ti.Start != "" && ti.End != "" && !start.Before(end) {
		return invalidArgument("Request.Operation.TimeInterval", "Start %s is not before End %s", ti.Start, ti.End)
	}
	return nil
}

func (s *Server) validateWorkflow(op *ciapi.Operation) *apiError {
	const field = "Request.Operation.WorkflowIds"
	id := op.WorkflowIds
	switch {
	case id == "":
		return invalidArgument(field, "is required for Type Workflow")
	case !workflowID.MatchString(id):
		return invalidArgument(field, "%q is not a workflow id (w followed by 32 lowercase hex digits)", id)
	case len(s.opts.Workflows) > 0 && !slices.Contains(s.opts.Workflows, id):
		return invalidArgument(field, "workflow %s does not exist", id)
	}
	return nil
}

func validateJob(op *ciapi.Operation) *apiError {
	const f = "Request.Operation."
	switch {
	case op.Tag == "":
		return invalidArgument(f+"Tag", "is required for Type Job")
	case !slices.Contains(tags, op.Tag):
		return invalidArgument(f+"Tag", "%q is not one of %s", op.Tag, strings.Join(tags, ", "))
	case op.JobParam == nil:
		return invalidArgument(f+"JobParam", "is required for Type Job")
	case op.JobLevel != nil && (*op.JobLevel < 0 || *op.JobLevel > 2):
		return invalidArgument(f+"JobLevel", "%d is not 0, 1 or 2", *op.JobLevel)
	case op.QueueType != "" && op.QueueType != "SpeedTranscoding":
		return invalidArgument(f+"QueueType", "%q is not SpeedTranscoding", op.QueueType)
	case op.CallBackFormat != "" && op.CallBackFormat != "JSON" && op.CallBackFormat != "XML":
		return invalidArgument(f+"CallBackFormat", "%q is not JSON or XML", op.CallBackFormat)
	case op.CallBackType != "" && op.CallBackType != "Url" && op.CallBackType != "TDMQ":
		return invalidArgument(f+"CallBackType", "%q is not Url or TDMQ", op.CallBackType)
	case op.CallBackType == "TDMQ" && (op.CallBackMqConfig == nil || op.CallBackMqConfig.MqRegion == "" || op.CallBackMqConfig.MqName == ""):
		return invalidArgument(f+"CallBackMqConfig", "MqRegion and MqName are required for CallBackType TDMQ")
	}
	out := op.Output
	switch {
	case out == nil && slices.Contains(noOutputTags, op.Tag):
		return nil
	case out == nil:
		return invalidArgument(f+"Output", "is required for Tag %s", op.Tag)
	case out.Region == "":
		return invalidArgument(f+"Output.Region", "is required")
	case out.Bucket == "":
		return invalidArgument(f+"Output.Bucket", "is required")
	case out.Object == "" && !slices.Contains(noObjectTags, op.Tag):
		return invalidArgument(f+"Output.Object", "is required for Tag %s", op.Tag)
	case out.Object == "" && out.AuObject == "" && (op.Tag == "VoiceSeparate" || op.Tag == "VoiceSpearte"):
		return invalidArgument(f+"Output.Object", "Object and AuObject cannot both be empty")
	}
	return nil
}

// checkContentMD5 compares a Content-MD5 header, when present, with the body.
func checkContentMD5(r *http.Request, body []byte) *apiError {
	want := r.Header.Get("Content-MD5")
	if want == "" {
		return nil
	}
	if got := md5Base64(body); got != want {
		return errorf(http.StatusBadRequest, "InvalidContent", "the Content-MD5 you specified (%s) does not match the body (%s)", truncate(want, 40), got)
	}
	return nil
}
