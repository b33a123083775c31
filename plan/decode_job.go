package plan

import "slices"

// decodeInput fills the job's input and checks that it has exactly one; it returns the key
// of the input the job reads, or "" when it has none.
func (l *loader) decodeInput(base []string, jd *jobDoc, j *Job) string {
	var present []string
	for _, k := range inputKeys {
		if jd.Keys.has(k) {
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
	switch present[0] {
	case "prefix":
		if jd.Prefix != "" {
			j.Prefixes = []string{jd.Prefix}
		}
	case "prefixes":
		j.Prefixes = l.uniqueStrings(append(slices.Clone(base), "prefixes"), jd.Prefixes, "prefix")
	case "manifest":
		j.Manifest = jd.Manifest
	case "url_file":
		j.URLFile = jd.URLFile
	case "object":
		j.Object = jd.Object
	}
	return present[0]
}

// decodeWorkflows fills the job's workflows (type workflow) or node (type job).
func (l *loader) decodeWorkflows(base []string, jd *jobDoc, d *planDefaults, j *Job, typeOK bool) {
	at := func(k ...string) []string { return append(slices.Clone(base), k...) }
	var set []string
	for _, k := range []string{"workflow", "workflows"} {
		if jd.Keys.has(k) {
			set = append(set, k)
		}
	}
	l.byPosition(base, set)
	if len(set) == 2 {
		l.check(at(set[1]), true, "set either workflow or workflows, not both")
	}
	var wfs []string
	if jd.Keys.has("workflow") && jd.Workflow != "" {
		wfs = []string{jd.Workflow}
	}
	if jd.Keys.has("workflows") {
		wfs = append(wfs, l.uniqueStrings(at("workflows"), jd.Workflows, "workflow")...)
	}
	if !typeOK {
		return
	}
	if j.Type == "job" {
		for _, k := range set {
			l.check(at(k), true, "%s is for type: workflow jobs; a type: job job runs its job block", k)
		}
		if !jd.Keys.has("job") {
			l.check(base, false, "type: job needs a job block with tag and template_id")
		}
		if jd.Job != nil {
			j.Node = l.decodeNode(at("job"), jd.Job)
		}
		return
	}
	if jd.Keys.has("job") {
		l.check(at("job"), true, "a job block is for type: job jobs; add type: job or remove the block")
	}
	if len(set) == 0 {
		if d.Keys.has("workflow") {
			wfs = []string{d.Workflow}
		} else {
			l.check(base, false, "no workflow: set workflow or workflows on the job, or workflow in defaults")
		}
	}
	j.Workflows = wfs
}

// decodeNode builds the processing node of a type: job job.
func (l *loader) decodeNode(ptr []string, nd *nodeDoc) *Node {
	n := &Node{Tag: nd.Tag, TemplateID: nd.TemplateID, QueueID: nd.QueueID,
		Callback: nd.Callback, UserData: nd.UserData, JobLevel: nd.JobLevel}
	if o := nd.Output; o != nil {
		n.Output = &Output{Region: o.Region, Bucket: o.Bucket, Object: o.Object}
		if o.Region != "" {
			l.checkRegion(append(slices.Clone(ptr), "output", "region"), o.Region)
		}
	}
	tagPtr := append(slices.Clone(ptr), "tag")
	if n.Tag == "" || l.skip[joinPtr(tagPtr)] || noOutputTags[n.Tag] {
		return n
	}
	if !nd.Keys.has("output") {
		l.check(ptr, true, "tag %s needs output with region, bucket and object", n.Tag)
	} else if o := nd.Output; o != nil && !o.Keys.has("object") && !noObjectTags[n.Tag] {
		l.check(append(slices.Clone(ptr), "output"), true, "tag %s needs output.object, the key of the result", n.Tag)
	}
	return n
}
