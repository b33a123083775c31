package executor

import (
	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
)

// CreateRequest turns one expanded plan request into the body of POST /inventorytriggerjob.
func CreateRequest(r *plan.Request) *ciapi.CreateRequest {
	cr := createRequest(r)
	return &cr
}

// createRequest is CreateRequest as a value, which Body keeps off the heap.
func createRequest(r *plan.Request) (cr ciapi.CreateRequest) {
	cr.Name, cr.Type = r.Name, r.Type
	switch r.InputKind {
	case plan.InputPrefix:
		cr.Input.Prefix = r.Input
	case plan.InputManifest:
		cr.Input.Manifest = r.Input
	case plan.InputURLFile:
		cr.Input.UrlFile = r.Input
	case plan.InputObject:
		cr.Input.Object = r.Input
	}
	op := &cr.Operation
	if r.Windowed() {
		var buf [64]byte // both bounds as one string: one allocation
		b := request.AppendTime(buf[:0], r.Start)
		n := len(b)
		s := string(request.AppendTime(b, r.End))
		op.TimeInterval = &ciapi.TimeInterval{Start: s[:n], End: s[n:]}
	}
	if r.Type == ciapi.TypeWorkflow {
		op.WorkflowIds = r.Workflow
		return cr
	}
	if n := r.Node; n != nil {
		op.QueueId = n.QueueID
		op.UserData = n.UserData
		op.JobLevel = n.JobLevel
		op.CallBack = n.Callback
		op.Tag = n.Tag
		op.JobParam = &ciapi.JobParam{TemplateId: n.TemplateID}
		if n.Output != nil {
			op.Output = &ciapi.Output{Region: n.Output.Region, Bucket: n.Output.Bucket, Object: n.Output.Object}
		}
	}
	return cr
}

// Body returns the exact XML body sent for r: compact, without an XML declaration.
func Body(r *plan.Request) ([]byte, error) {
	cr := createRequest(r)
	return cr.XMLBody(), nil // byte for byte xml.Marshal(CreateRequest(r))
}
