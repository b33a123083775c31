package plan

import (
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/planrun/planrun/plan/yamlsrc"
)

// inputKeys are the keys that set a job's input.
var inputKeys = []string{"prefix", "prefixes", "manifest", "url_file", "object"}

// Tags whose node writes no output, and tags whose output needs no object.
var (
	noOutputTags = map[string]bool{"VideoTag": true, "ExtractDigitalWatermark": true, "MediaInfo": true, "QualityEstimate": true}
	noObjectTags = map[string]bool{"Snapshot": true, "VoiceSeparate": true, "VoiceSpearte": true, "StreamExtract": true}
)

// planDefaults are the values of the plan's defaults block.
type planDefaults struct {
	*defaultsDoc
	tz     *time.Location // nil when defaults.timezone is invalid
	tzName string
}

// decodePlan builds the typed plan from the decoded document, applying defaults and
// recording every semantic problem. The schema has already checked the document; values of
// the wrong type are left at their zero value here, as they have been reported.
func (l *loader) decodePlan(doc *planDoc) *Plan {
	p := &Plan{Path: l.file, Version: 1, Generation: 1, Name: doc.Name}
	if n := l.locate([]string{"name"}).value; n != nil {
		p.NamePos = Pos{Line: n.Line, Col: n.Column}
	}
	if g := doc.Generation; g != nil && *g >= 1 {
		p.Generation = *g
	} else if doc.Keys.has("generation") && !l.skip["generation"] {
		l.check([]string{"generation"}, false, "must be a whole number from 1 to %d", math.MaxInt64)
	}
	d := planDefaults{defaultsDoc: doc.Defaults, tz: time.UTC, tzName: "UTC"}
	if d.defaultsDoc == nil {
		d.defaultsDoc = &defaultsDoc{}
	}
	if d.Keys.has("timezone") {
		d.tz, d.tzName = l.timezone([]string{"defaults", "timezone"}, d.Timezone), d.Timezone
	}
	if d.Keys.has("region") {
		l.checkRegion([]string{"defaults", "region"}, d.Region)
	}
	firstLine := make(map[string]int, len(doc.Jobs))
	index := make([]int, 0, len(doc.Jobs))
	p.Jobs = make([]Job, 0, len(doc.Jobs))
	for i, jd := range doc.Jobs {
		if jd == nil {
			continue
		}
		j := l.decodeJob(i, jd, &d)
		if j.Name != "" {
			if line, dup := firstLine[j.Name]; dup {
				l.check([]string{"jobs", strconv.Itoa(i), "name"}, false,
					"duplicate job name %q (first at line %d): job names must be unique in a plan", j.Name, line)
			} else {
				firstLine[j.Name] = j.Pos.Line
			}
		}
		p.Jobs = append(p.Jobs, *j)
		index = append(index, i)
	}
	if len(p.Jobs) == 0 {
		p.Jobs = nil // as before the list was sized up front
	}
	if len(l.probs) == 0 {
		l.checkIdentical(p, index)
	}
	return p
}

// timezone loads the timezone written at ptr; it reports one that is not a timezone and
// returns nil.
func (l *loader) timezone(ptr []string, name string) *time.Location {
	loc, err := loadTimezone(name)
	if err != nil {
		l.check(ptr, false, "%v", err)
	}
	return loc
}

// decodeJob builds job i with defaults applied and records its semantic problems.
func (l *loader) decodeJob(i int, jd *jobDoc, d *planDefaults) *Job {
	base := []string{"jobs", strconv.Itoa(i)}
	at := func(k ...string) []string { return append(slices.Clone(base), k...) }
	j := &Job{Name: jd.Name, Type: "workflow"}
	if n := yamlsrc.Deref(l.locate(base).value); n != nil {
		j.Pos = Pos{Line: n.Line, Col: n.Column}
	}
	typeOK := true
	if jd.Keys.has("type") {
		typeOK = jd.Type == "workflow" || jd.Type == "job"
		if typeOK {
			j.Type = jd.Type
		}
	}
	j.Bucket = l.inherit(base, jd.Keys, jd.Bucket, d.Keys, d.Bucket, "bucket")
	j.Region = l.inherit(base, jd.Keys, jd.Region, d.Keys, d.Region, "region")
	if jd.Keys.has("region") {
		l.checkRegion(at("region"), jd.Region)
	}
	j.Timezone, j.TZName = d.tz, d.tzName
	if jd.Keys.has("timezone") {
		j.TZName = jd.Timezone
		j.Timezone = l.timezone(at("timezone"), jd.Timezone)
	}
	kind := l.decodeInput(base, jd, j)
	l.decodeWorkflows(base, jd, d, j, typeOK)
	if jd.Keys.has("window") {
		if kind != "" && kind != "prefix" && kind != "prefixes" {
			l.check(at("window"), true,
				"window applies to prefix inputs only (the service filters objects by upload time), and this job reads %s", kind)
		}
		if jd.Window != nil && j.Timezone != nil {
			tzWritten := jd.Keys.has("timezone") || d.Keys.has("timezone")
			j.Window = l.decodeWindow(at("window"), jd.Window, j.Timezone, tzWritten)
			if n := l.locate(at("window", "every")).value; n != nil {
				j.WindowPos = Pos{Line: n.Line, Col: n.Column}
			} else if n := l.locate(at("window")).key; n != nil {
				j.WindowPos = Pos{Line: n.Line, Col: n.Column}
			}
		}
	}
	return j
}

// inherit returns the job's own value of key, else the one in defaults; it reports a job
// that has neither. Values of the wrong type were reported by the schema.
func (l *loader) inherit(base []string, jobKeys keys, own string, defKeys keys, def, key string) string {
	switch {
	case jobKeys.has(key):
		return own
	case defKeys.has(key):
		return def
	}
	l.check(base, false, "no %s: set %s on the job or in defaults", key, key)
	return ""
}
