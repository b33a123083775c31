package plan

import "slices"

// decodeInput fills the job's input and checks that it has exactly one; it returns the key
// of the input the job reads, or "" when it has none.
func (l *loader) decodeInput(base []string, m map[string]any, j *Job) string {
	var present []string
	for _, k := range inputKeys {
		if _, has := m[k]; has {
			present = append(present, k)
		}
	}
	l.byPosition(base, present)
	if len(present) == 0 {
		l.check(base, false, "no input: set one of prefix, prefixes, manifest, url_file or object")
		return ""
	}
	for _, k := range present[1:] {
		l.check(append(slices.Clone(base), k), true,
			"a job has exactly one input, and this one already reads %s (line %d)", present[0], l.line(base, present[0]))
	}
	str := func(k string) string { s, _ := m[k].(string); return s }
	switch present[0] {
	case "prefix":
		if s, ok := m["prefix"].(string); ok {
			j.Prefixes = []string{s}
		}
	case "prefixes":
		j.Prefixes = l.uniqueStrings(append(slices.Clone(base), "prefixes"), m["prefixes"], "prefix")
	case "manifest":
		j.Manifest = str("manifest")
	case "url_file":
		j.URLFile = str("url_file")
	case "object":
		j.Object = str("object")
	}
	return present[0]
}

// decodeWorkflows fills the job's workflows (type workflow) or node (type job).
func (l *loader) decodeWorkflows(base []string, m map[string]any, d *planDefaults, j *Job, typeOK bool) {
	at := func(k ...string) []string { return append(slices.Clone(base), k...) }
	var set []string
	for _, k := range []string{"workflow", "workflows"} {
		if _, has := m[k]; has {
			set = append(set, k)
		}
	}
	l.byPosition(base, set)
	if len(set) == 2 {
		l.check(at(set[1]), true, "set either workflow or workflows, not both")
	}
	var wfs []string
	if s, ok := m["workflow"].(string); ok {
		wfs = []string{s}
	}
	if v, has := m["workflows"]; has {
		wfs = append(wfs, l.uniqueStrings(at("workflows"), v, "workflow")...)
	}
	if !typeOK {
		return
	}
	if j.Type == "job" {
		for _, k := range set {
			l.check(at(k), true, "%s is for type: workflow jobs; a type: job job runs its job block", k)
		}
		v, has := m["job"]
		if !has {
			l.check(base, false, "type: job needs a job block with tag and template_id")
		}
		if jm, ok := v.(map[string]any); ok {
			j.Node = l.decodeNode(at("job"), jm)
		}
		return
	}
	if _, has := m["job"]; has {
		l.check(at("job"), true, "a job block is for type: job jobs; add type: job or remove the block")
	}
	if len(set) == 0 {
		if v, has := d.m["workflow"]; has {
			s, _ := v.(string)
			wfs = []string{s}
		} else {
			l.check(base, false, "no workflow: set workflow or workflows on the job, or workflow in defaults")
		}
	}
	j.Workflows = wfs
}

// decodeNode builds the processing node of a type: job job.
func (l *loader) decodeNode(ptr []string, m map[string]any) *Node {
	str := func(k string) string { s, _ := m[k].(string); return s }
	n := &Node{Tag: str("tag"), TemplateID: str("template_id"), QueueID: str("queue_id"),
		Callback: str("callback"), UserData: str("user_data")}
	if v, ok := intValue(m["job_level"]); ok {
		n.JobLevel = &v
	}
	om, hasOutput := m["output"].(map[string]any)
	if hasOutput {
		n.Output = &Output{}
		n.Output.Region, _ = om["region"].(string)
		n.Output.Bucket, _ = om["bucket"].(string)
		n.Output.Object, _ = om["object"].(string)
	}
	tagPtr := append(slices.Clone(ptr), "tag")
	if n.Tag == "" || l.skip[joinPtr(tagPtr)] || noOutputTags[n.Tag] {
		return n
	}
	if _, has := m["output"]; !has {
		l.check(ptr, true, "tag %s needs output with region, bucket and object", n.Tag)
	} else if _, has := om["object"]; hasOutput && !has && !noObjectTags[n.Tag] {
		l.check(append(slices.Clone(ptr), "output"), true, "tag %s needs output.object, the key of the result", n.Tag)
	}
	return n
}
