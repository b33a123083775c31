package ciapi

import (
	"bytes"
	"encoding/xml"
	"strconv"
)

// XMLBody returns the body of the create, byte for byte what xml.Marshal(r) returns
// (compact, no declaration), written directly instead of by reflection: every create of a
// run, and every line of `run --dry-run --format json`, renders one.
// TestXMLBodyMatchesMarshal and FuzzXMLBody hold it to xml.Marshal.
func (r *CreateRequest) XMLBody() []byte {
	b := body{buf: make([]byte, 0, r.sizeHint())}
	b.add("<Request>")
	field(&b, "Name", r.Name, false)
	field(&b, "Type", r.Type, true)
	b.add("<Input>")
	in := &r.Input
	field(&b, "Manifest", in.Manifest, true)
	field(&b, "UrlFile", in.UrlFile, true)
	field(&b, "Prefix", in.Prefix, true)
	field(&b, "Object", in.Object, true)
	b.add("</Input><Operation>")
	op := &r.Operation
	field(&b, "WorkflowIds", op.WorkflowIds, true)
	if t := op.TimeInterval; t != nil {
		b.add("<TimeInterval>")
		field(&b, "Start", t.Start, true)
		field(&b, "End", t.End, true)
		b.add("</TimeInterval>")
	}
	field(&b, "QueueId", op.QueueId, true)
	field(&b, "QueueType", op.QueueType, true)
	field(&b, "UserData", op.UserData, true)
	if op.JobLevel != nil {
		b.add("<JobLevel>")
		b.add(strconv.Itoa(*op.JobLevel))
		b.add("</JobLevel>")
	}
	field(&b, "CallBackFormat", op.CallBackFormat, true)
	field(&b, "CallBackType", op.CallBackType, true)
	field(&b, "CallBack", op.CallBack, true)
	if m := op.CallBackMqConfig; m != nil {
		b.add("<CallBackMqConfig>")
		field(&b, "MqRegion", m.MqRegion, true)
		field(&b, "MqMode", m.MqMode, true)
		field(&b, "MqName", m.MqName, true)
		b.add("</CallBackMqConfig>")
	}
	field(&b, "Tag", op.Tag, true)
	if j := op.JobParam; j != nil {
		b.add("<JobParam>")
		field(&b, "TemplateId", j.TemplateId, true)
		field(&b, "TranscodeTemplateId", j.TranscodeTemplateId, true)
		b.add("</JobParam>")
	}
	if o := op.Output; o != nil {
		b.add("<Output>")
		field(&b, "Region", o.Region, true)
		field(&b, "Bucket", o.Bucket, true)
		field(&b, "Object", o.Object, true)
		field(&b, "AuObject", o.AuObject, true)
		field(&b, "SpriteObject", o.SpriteObject, true)
		b.add("</Output>")
	}
	b.add("</Operation></Request>")
	return b.buf
}

// sizeHint is the length of the body when nothing needs escaping.
func (r *CreateRequest) sizeHint() int {
	n := 120 + len(r.Name) + len(r.Type) + len(r.Input.Manifest) + len(r.Input.UrlFile) + len(r.Input.Prefix) + len(r.Input.Object)
	op := &r.Operation
	n += 32 + len(op.WorkflowIds) + len(op.QueueId) + len(op.QueueType) + len(op.UserData) + len(op.CallBackFormat) +
		len(op.CallBackType) + len(op.CallBack) + len(op.Tag)
	if op.TimeInterval != nil {
		n += 60 + len(op.TimeInterval.Start) + len(op.TimeInterval.End)
	}
	if op.JobLevel != nil {
		n += 40
	}
	if op.CallBackMqConfig != nil || op.JobParam != nil || op.Output != nil {
		n += 256
	}
	return n
}

// body is the byte slice XMLBody appends to.
type body struct{ buf []byte }

func (b *body) add(s string)   { b.buf = append(b.buf, s...) }
func (b *body) addByte(c byte) { b.buf = append(b.buf, c) }

// field writes <name>value</name>, escaped as xml.Marshal escapes it; an empty value is
// left out when omitEmpty is set.
func field(b *body, name, value string, omitEmpty bool) {
	if value == "" && omitEmpty {
		return
	}
	b.addByte('<')
	b.add(name)
	b.addByte('>')
	if plainText(value) {
		b.add(value)
	} else {
		var esc bytes.Buffer
		_ = xml.EscapeText(&esc, []byte(value)) // a bytes.Buffer does not fail
		b.buf = append(b.buf, esc.Bytes()...)
	}
	b.add("</")
	b.add(name)
	b.addByte('>')
}

// plainText reports whether s is printable ASCII that XML text needs no escape for.
func plainText(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c >= 0x7f, c == '"', c == '\'', c == '&', c == '<', c == '>':
			return false
		}
	}
	return true
}
