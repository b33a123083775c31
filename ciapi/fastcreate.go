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
	return decodeCreate(data, nil, out)
}

// decodeCreate is decodeCreateResponse given the root parseSimpleXML(data) returns, when
// it was parsed already (nil: not yet).
func decodeCreate(data []byte, root *xdoc, out *CreateResponse) error {
	ok := root != nil
	if !ok {
		root, ok = parseSimpleXML(data)
	}
	if ok {
		var r CreateResponse
		if fillCreateResponse(root, &r) {
			*out = r
			return nil
		}
	}
	return xml.Unmarshal(data, out)
}

// xseen guards against repeated elements (left to encoding/xml): bit i stands for the
// i-th known child name of the element being read.
type xseen uint32

// first marks bit i and reports whether it was not marked yet.
func (s *xseen) first(i int) bool {
	if *s&(1<<i) != 0 {
		return false
	}
	*s |= 1 << i
	return true
}

// leaf returns the text of a leaf element.
func leaf(d *xdoc, n int32) (string, bool) { return d.text(n), !d.hasChildren(n) }

// group checks that an element holds only child elements (white space aside).
func group(d *xdoc, n int32) bool {
	return d.hasChildren(n) || strings.Trim(d.text(n), " \t\n") == ""
}

func fillCreateResponse(d *xdoc, r *CreateResponse) bool {
	const root = 0
	if d.name(root) != "Response" || !group(d, root) {
		return false
	}
	r.XMLName = xml.Name{Local: "Response"}
	var s xseen
	for c := d.first(root); c != 0; c = d.next(c) {
		switch d.name(c) {
		case "RequestId":
			v, ok := leaf(d, c)
			if !ok || !s.first(0) {
				return false
			}
			r.RequestId = v
		case "JobsDetail":
			if !s.first(1) {
				return false
			}
			parts := &createParts{}
			r.JobsDetail = &parts.detail
			if !fillJobDetail(d, c, parts) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// createParts holds the elements of one create answer that the response points to, so
// that they take one allocation instead of one each.
type createParts struct {
	detail   JobDetail
	input    Input
	op       Operation
	interval TimeInterval
	mq       CallBackMqConfig
	param    JobParam
	output   Output
	level    int
}

func fillJobDetail(x *xdoc, n int32, p *createParts) bool {
	d := &p.detail
	if !group(x, n) {
		return false
	}
	var s xseen
	for c := x.first(n); c != 0; c = x.next(c) {
		var dst *string
		var bit int
		switch x.name(c) {
		case "Code":
			dst, bit = &d.Code, 0
		case "Message":
			dst, bit = &d.Message, 1
		case "Type":
			dst, bit = &d.Type, 2
		case "Name":
			dst, bit = &d.Name, 3
		case "JobId":
			dst, bit = &d.JobId, 4
		case "Tag":
			dst, bit = &d.Tag, 5
		case "Progress":
			dst, bit = &d.Progress, 6
		case "State":
			dst, bit = &d.State, 7
		case "CreationTime":
			dst, bit = &d.CreationTime, 8
		case "StartTime":
			dst, bit = &d.StartTime, 9
		case "EndTime":
			dst, bit = &d.EndTime, 10
		case "QueueId":
			dst, bit = &d.QueueId, 11
		case "Input":
			if !s.first(12) {
				return false
			}
			d.Input = &p.input
			if !fillFields(x, c, xfield{"Manifest", &d.Input.Manifest}, xfield{"UrlFile", &d.Input.UrlFile},
				xfield{"Prefix", &d.Input.Prefix}, xfield{"Object", &d.Input.Object}) {
				return false
			}
			continue
		case "Operation":
			if !s.first(13) {
				return false
			}
			d.Operation = &p.op
			if !fillOperation(x, c, p) {
				return false
			}
			continue
		default:
			return false
		}
		v, ok := leaf(x, c)
		if !ok || !s.first(bit) {
			return false
		}
		*dst = v
	}
	return true
}

func fillOperation(x *xdoc, n int32, p *createParts) bool {
	o := &p.op
	if !group(x, n) {
		return false
	}
	var s xseen
	for c := x.first(n); c != 0; c = x.next(c) {
		ok := true
		var dst *string
		var bit int
		switch x.name(c) {
		case "WorkflowIds":
			dst, bit = &o.WorkflowIds, 0
		case "QueueId":
			dst, bit = &o.QueueId, 1
		case "QueueType":
			dst, bit = &o.QueueType, 2
		case "UserData":
			dst, bit = &o.UserData, 3
		case "CallBackFormat":
			dst, bit = &o.CallBackFormat, 4
		case "CallBackType":
			dst, bit = &o.CallBackType, 5
		case "CallBack":
			dst, bit = &o.CallBack, 6
		case "Tag":
			dst, bit = &o.Tag, 7
		case "TimeInterval":
			o.TimeInterval = &p.interval
			bit = 8
			ok = fillFields(x, c, xfield{"Start", &o.TimeInterval.Start}, xfield{"End", &o.TimeInterval.End})
		case "CallBackMqConfig":
			m := &p.mq
			o.CallBackMqConfig = m
			bit = 9
			ok = fillFields(x, c, xfield{"MqRegion", &m.MqRegion}, xfield{"MqMode", &m.MqMode}, xfield{"MqName", &m.MqName})
		case "JobParam":
			j := &p.param
			o.JobParam = j
			bit = 10
			ok = fillFields(x, c, xfield{"TemplateId", &j.TemplateId}, xfield{"TranscodeTemplateId", &j.TranscodeTemplateId})
		case "Output":
			out := &p.output
			o.Output = out
			bit = 11
			ok = fillFields(x, c, xfield{"Region", &out.Region}, xfield{"Bucket", &out.Bucket}, xfield{"Object", &out.Object},
				xfield{"AuObject", &out.AuObject}, xfield{"SpriteObject", &out.SpriteObject})
		case "JobLevel":
			v, isLeaf := leaf(x, c)
			lvl, err := 0, error(nil)
			if v != "" {
				lvl, err = strconv.Atoi(strings.TrimSpace(v))
			}
			if !isLeaf || err != nil {
				return false
			}
			p.level = lvl
			o.JobLevel = &p.level
			bit = 12
		default:
			return false
		}
		if !ok || !s.first(bit) {
			return false
		}
		if dst != nil {
			v, isLeaf := leaf(x, c)
			if !isLeaf {
				return false
			}
			*dst = v
		}
	}
	return true
}

// xfield is a known child of a flat element and where its text goes.
type xfield struct {
	name string
	dst  *string
}

// fillFields sets the string fields of a flat element; an unknown, nested or repeated
// child fails.
func fillFields(x *xdoc, n int32, fields ...xfield) bool {
	if !group(x, n) {
		return false
	}
	var s xseen
	for c := x.first(n); c != 0; c = x.next(c) {
		i := 0
		name := x.name(c)
		for i < len(fields) && fields[i].name != name {
			i++
		}
		if i == len(fields) {
			return false
		}
		v, isLeaf := leaf(x, c)
		if !isLeaf || !s.first(i) {
			return false
		}
		*fields[i].dst = v
	}
	return true
}
