package plan

import (
	"math"
	"slices"
	"strconv"
	"time"
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
	m      map[string]any
	tz     *time.Location // nil when defaults.timezone is invalid
	tzName string
}

// decodePlan builds the typed plan from the converted document, applying defaults and
// recording every semantic problem. The schema has already checked the document; values of
// the wrong type are skipped here, as they have been reported.
func (l *loader) decodePlan(doc map[string]any) *Plan {
	p := &Plan{Path: l.file, Version: 1, Generation: 1}
	p.Name, _ = doc["name"].(string)
	if n := l.locate([]string{"name"}).value; n != nil {
		p.NamePos = Pos{Line: n.Line, Col: n.Column}
	}
	if g, ok := intValue(doc["generation"]); ok && g >= 1 {
		p.Generation = g
	} else if isNumber(doc["generation"]) && !l.skip["generation"] {
		l.check([]string{"generation"}, false, "must be a whole number from 1 to %d", math.MaxInt64)
	}
	d := planDefaults{tz: time.UTC, tzName: "UTC"}
	d.m, _ = doc["defaults"].(map[string]any)
	if v, has := d.m["timezone"]; has {
		s, _ := v.(string)
		loc, err := loadTimezone(s)
		if err != nil {
			l.check([]string{"defaults", "timezone"}, false, "%v", err)
		}
		d.tz, d.tzName = loc, s
	}
	jobs, _ := doc["jobs"].([]any)
	firstLine := map[string]int{}
	for i, item := range jobs {
		m, ok := item.(map[string]any)
		if !ok {
			continue
		}
		j := l.decodeJob(i, m, &d)
		if j.Name != "" {
			if line, dup := firstLine[j.Name]; dup {
				l.check([]string{"jobs", strconv.Itoa(i), "name"}, false,
					"duplicate job name %q (first at line %d): job names must be unique in a plan", j.Name, line)
			} else {
				firstLine[j.Name] = j.Pos.Line
			}
		}
		p.Jobs = append(p.Jobs, *j)
	}
	return p
}

// decodeJob builds job i with defaults applied and records its semantic problems.
func (l *loader) decodeJob(i int, m map[string]any, d *planDefaults) *Job {
	base := []string{"jobs", strconv.Itoa(i)}
	at := func(k ...string) []string { return append(slices.Clone(base), k...) }
	j := &Job{Type: "workflow"}
	j.Name, _ = m["name"].(string)
	if n := deref(l.locate(base).value); n != nil {
		j.Pos = Pos{Line: n.Line, Col: n.Column}
	}
	typeOK := true
	if v, has := m["type"]; has {
		s, _ := v.(string)
		typeOK = s == "workflow" || s == "job"
		if typeOK {
			j.Type = s
		}
	}
	j.Bucket = l.inherit(base, m, d, "bucket")
	j.Region = l.inherit(base, m, d, "region")
	j.Timezone, j.TZName = d.tz, d.tzName
	if v, has := m["timezone"]; has {
		j.TZName, _ = v.(string)
		loc, err := loadTimezone(j.TZName)
		if err != nil {
			l.check(at("timezone"), false, "%v", err)
		}
		j.Timezone = loc
	}
	kind := l.decodeInput(base, m, j)
	l.decodeWorkflows(base, m, d, j, typeOK)
	if v, has := m["window"]; has {
		if kind != "" && kind != "prefix" && kind != "prefixes" {
			l.check(at("window"), true,
				"window applies to prefix inputs only (the service filters objects by upload time), and this job reads %s", kind)
		}
		if wm, ok := v.(map[string]any); ok && j.Timezone != nil {
			j.Window = l.decodeWindow(at("window"), wm, j.Timezone)
		}
	}
	return j
}

// inherit returns the job's own value of key, else the one in defaults; it reports a job
// that has neither. Values of the wrong type were reported by the schema.
func (l *loader) inherit(base []string, m map[string]any, d *planDefaults, key string) string {
	if v, has := m[key]; has {
		s, _ := v.(string)
		return s
	}
	if v, has := d.m[key]; has {
		s, _ := v.(string)
		return s
	}
	l.check(base, false, "no %s: set %s on the job or in defaults", key, key)
	return ""
}
