package ciapi

import (
	"encoding/xml"
	"strconv"
	"strings"
)

// decodeCreateResponse decodes the answer to a create. The answer is read by
// parseSimpleXML when it has the usual simple shape (a create is the hot path of a run,
// and encoding/xml spent more CPU on it than the rest of the call); anything else, or any
// element the fast path does not know, goes through xml.Unmarshal, whose result is the
// reference: the fast path yields exactly what xml.Unmarshal would, or does not answer
// (FuzzDecodeCreateResponse holds it to that).
func decodeCreateResponse(data []byte, out *CreateResponse) error {
	if root, ok := parseSimpleXML(data); ok {
		var r CreateResponse
		if fillCreateResponse(root, &r) {
			*out = r
			return nil
		}
	}
	return xml.Unmarshal(data, out)
}

// xseen guards against repeated elements (left to encoding/xml).
type xseen map[string]bool

func (s xseen) first(name string) bool {
	if s[name] {
		return false
	}
	s[name] = true
	return true
}

// leaf returns the text of a leaf element.
func leaf(n *xnode) (string, bool) { return n.text, len(n.children) == 0 }

// group checks that an element holds only child elements (white space aside).
func group(n *xnode) bool {
	return len(n.children) > 0 || strings.Trim(n.text, " \t\n") == ""
}

func fillCreateResponse(root *xnode, r *CreateResponse) bool {
	if root.name != "Response" || !group(root) {
		return false
	}
	r.XMLName = xml.Name{Local: "Response"}
	s := xseen{}
	for _, c := range root.children {
		if !s.first(c.name) {
			return false
		}
		switch c.name {
		case "RequestId":
			v, ok := leaf(c)
			if !ok {
				return false
			}
			r.RequestId = v
		case "JobsDetail":
			r.JobsDetail = &JobDetail{}
			if !fillJobDetail(c, r.JobsDetail) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func fillJobDetail(n *xnode, d *JobDetail) bool {
	if !group(n) {
		return false
	}
	s := xseen{}
	for _, c := range n.children {
		if !s.first(c.name) {
			return false
		}
		var dst *string
		switch c.name {
		case "Code":
			dst = &d.Code
		case "Message":
			dst = &d.Message
		case "Type":
			dst = &d.Type
		case "Name":
			dst = &d.Name
		case "JobId":
			dst = &d.JobId
		case "Tag":
			dst = &d.Tag
		case "Progress":
			dst = &d.Progress
		case "State":
			dst = &d.State
		case "CreationTime":
			dst = &d.CreationTime
		case "StartTime":
			dst = &d.StartTime
		case "EndTime":
			dst = &d.EndTime
		case "QueueId":
			dst = &d.QueueId
		case "Input":
			d.Input = &Input{}
			if !fillFields(c, map[string]*string{"Manifest": &d.Input.Manifest, "UrlFile": &d.Input.UrlFile,
				"Prefix": &d.Input.Prefix, "Object": &d.Input.Object}) {
				return false
			}
			continue
		case "Operation":
			d.Operation = &Operation{}
			if !fillOperation(c, d.Operation) {
				return false
			}
			continue
		default:
			return false
		}
		v, ok := leaf(c)
		if !ok {
			return false
		}
		*dst = v
	}
	return true
}

func fillOperation(n *xnode, o *Operation) bool {
	if !group(n) {
		return false
	}
	fields := map[string]*string{"WorkflowIds": &o.WorkflowIds, "QueueId": &o.QueueId, "QueueType": &o.QueueType,
		"UserData": &o.UserData, "CallBackFormat": &o.CallBackFormat, "CallBackType": &o.CallBackType,
		"CallBack": &o.CallBack, "Tag": &o.Tag}
	s := xseen{}
	for _, c := range n.children {
		if !s.first(c.name) {
			return false
		}
		ok := true
		switch c.name {
		case "TimeInterval":
			o.TimeInterval = &TimeInterval{}
			ok = fillFields(c, map[string]*string{"Start": &o.TimeInterval.Start, "End": &o.TimeInterval.End})
		case "CallBackMqConfig":
			m := &CallBackMqConfig{}
			o.CallBackMqConfig = m
			ok = fillFields(c, map[string]*string{"MqRegion": &m.MqRegion, "MqMode": &m.MqMode, "MqName": &m.MqName})
		case "JobParam":
			j := &JobParam{}
			o.JobParam = j
			ok = fillFields(c, map[string]*string{"TemplateId": &j.TemplateId, "TranscodeTemplateId": &j.TranscodeTemplateId})
		case "Output":
			out := &Output{}
			o.Output = out
			ok = fillFields(c, map[string]*string{"Region": &out.Region, "Bucket": &out.Bucket, "Object": &out.Object,
				"AuObject": &out.AuObject, "SpriteObject": &out.SpriteObject})
		case "JobLevel":
			v, isLeaf := leaf(c)
			lvl, err := 0, error(nil)
			if v != "" {
				lvl, err = strconv.Atoi(strings.TrimSpace(v))
			}
			if !isLeaf || err != nil {
				return false
			}
			o.JobLevel = &lvl
		default:
			dst, known := fields[c.name]
			v, isLeaf := leaf(c)
			if !known || !isLeaf {
				return false
			}
			*dst = v
		}
		if !ok {
			return false
		}
	}
	return true
}

// fillFields sets the string fields of a flat element; an unknown or nested child fails.
func fillFields(n *xnode, fields map[string]*string) bool {
	if !group(n) {
		return false
	}
	s := xseen{}
	for _, c := range n.children {
		dst, known := fields[c.name]
		v, isLeaf := leaf(c)
		if !known || !isLeaf || !s.first(c.name) {
			return false
		}
		*dst = v
	}
	return true
}
