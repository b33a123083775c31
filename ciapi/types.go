// Package ciapi is a client for the batch data processing (inventory trigger job) API of
// Tencent Cloud Cloud Infinite: create, describe, list and cancel, signed with the COS
// q-sign-algorithm=sha1 signature. It imports no other planrun package.
package ciapi

import "encoding/xml"

// Job types accepted in CreateRequest.Type.
const (
	TypeWorkflow = "Workflow"
	TypeJob      = "Job"
)

// Job states reported by the service.
const (
	StateSubmitted = "Submitted"
	StateRunning   = "Running"
	StateSuccess   = "Success"
	StateFailed    = "Failed"
	StatePause     = "Pause"
	StateCancel    = "Cancel"
)

// Terminal reports whether a job in state s will not change any more.
func Terminal(s string) bool {
	return s == StateSuccess || s == StateFailed || s == StateCancel
}

// TimeFormat is the Go layout of the service's %Y-%m-%dT%H:%M:%S%z times.
const TimeFormat = "2006-01-02T15:04:05-0700"

// CreateRequest is the body of POST /inventorytriggerjob.
type CreateRequest struct {
	XMLName   xml.Name  `xml:"Request"`
	Name      string    `xml:"Name"`
	Type      string    `xml:"Type,omitempty"`
	Input     Input     `xml:"Input"`
	Operation Operation `xml:"Operation"`
}

// Input names the objects a job processes; exactly one field is set.
type Input struct {
	Manifest string `xml:"Manifest,omitempty"`
	UrlFile  string `xml:"UrlFile,omitempty"`
	Prefix   string `xml:"Prefix,omitempty"`
	Object   string `xml:"Object,omitempty"`
}

// TimeInterval filters objects of a prefix input by upload time.
type TimeInterval struct {
	Start string `xml:"Start,omitempty"`
	End   string `xml:"End,omitempty"`
}

// Operation is what to do with the input: a workflow, or an independent job node.
type Operation struct {
	WorkflowIds      string            `xml:"WorkflowIds,omitempty"`
	TimeInterval     *TimeInterval     `xml:"TimeInterval,omitempty"`
	QueueId          string            `xml:"QueueId,omitempty"`
	QueueType        string            `xml:"QueueType,omitempty"`
	UserData         string            `xml:"UserData,omitempty"`
	JobLevel         *int              `xml:"JobLevel,omitempty"`
	CallBackFormat   string            `xml:"CallBackFormat,omitempty"`
	CallBackType     string            `xml:"CallBackType,omitempty"`
	CallBack         string            `xml:"CallBack,omitempty"`
	CallBackMqConfig *CallBackMqConfig `xml:"CallBackMqConfig,omitempty"`
	Tag              string            `xml:"Tag,omitempty"`
	JobParam         *JobParam         `xml:"JobParam,omitempty"`
	Output           *Output           `xml:"Output,omitempty"`
}

// CallBackMqConfig configures a TDMQ callback.
type CallBackMqConfig struct {
	MqRegion string `xml:"MqRegion,omitempty"`
	MqMode   string `xml:"MqMode,omitempty"`
	MqName   string `xml:"MqName,omitempty"`
}

// JobParam holds the parameters of an independent job node: planrun always names a template.
type JobParam struct {
	TemplateId          string `xml:"TemplateId,omitempty"`
	TranscodeTemplateId string `xml:"TranscodeTemplateId,omitempty"`
}

// Output is where an independent job node writes its result.
type Output struct {
	Region       string `xml:"Region,omitempty"`
	Bucket       string `xml:"Bucket,omitempty"`
	Object       string `xml:"Object,omitempty"`
	AuObject     string `xml:"AuObject,omitempty"`
	SpriteObject string `xml:"SpriteObject,omitempty"`
}

// JobDetail is one JobsDetail element of a response.
type JobDetail struct {
	Code         string     `xml:"Code"`
	Message      string     `xml:"Message"`
	Type         string     `xml:"Type,omitempty"`
	Name         string     `xml:"Name,omitempty"`
	JobId        string     `xml:"JobId"`
	Tag          string     `xml:"Tag,omitempty"`
	Progress     string     `xml:"Progress,omitempty"`
	State        string     `xml:"State"`
	CreationTime string     `xml:"CreationTime"`
	StartTime    string     `xml:"StartTime"`
	EndTime      string     `xml:"EndTime"`
	QueueId      string     `xml:"QueueId,omitempty"`
	Input        *Input     `xml:"Input,omitempty"`
	Operation    *Operation `xml:"Operation,omitempty"`
}

// CreateResponse is the body of a successful create.
type CreateResponse struct {
	XMLName    xml.Name   `xml:"Response"`
	RequestId  string     `xml:"RequestId"`
	JobsDetail *JobDetail `xml:"JobsDetail,omitempty"`
}

// DescribeResponse is the body of GET /inventorytriggerjob/<id>.
type DescribeResponse struct {
	XMLName        xml.Name   `xml:"Response"`
	RequestId      string     `xml:"RequestId"`
	JobsDetail     *JobDetail `xml:"JobsDetail,omitempty"`
	NonExistJobIds string     `xml:"NonExistJobIds,omitempty"`
}

// ListResponse is the body of GET /inventorytriggerjob: every JobsDetail, and the token of
// the next page (empty on the last page).
type ListResponse struct {
	XMLName    xml.Name    `xml:"Response"`
	RequestId  string      `xml:"RequestId"`
	JobsDetail []JobDetail `xml:"JobsDetail"`
	NextToken  string      `xml:"NextToken,omitempty"`
}

// ListOptions are the filters of the list call; empty fields are not sent.
type ListOptions struct {
	NextToken         string
	Size              int // 1..100; 0 means the service default (10)
	Type              string
	OrderByTime       string // Desc (default) or Asc
	States            string // comma-separated, or All
	StartCreationTime string // TimeFormat
	EndCreationTime   string // TimeFormat
	WorkflowId        string
	JobId             string
	Name              string
}

// ErrorBody is the <Error> document of a failed call.
type ErrorBody struct {
	XMLName      xml.Name `xml:"Error"`
	Code         string   `xml:"Code"`
	Message      string   `xml:"Message"`
	RequestId    string   `xml:"RequestId"`
	TraceId      string   `xml:"TraceId"`
	StringToSign string   `xml:"StringToSign,omitempty"`
	FormatString string   `xml:"FormatString,omitempty"`
	Resource     string   `xml:"Resource,omitempty"`
}
