package plan

import (
	"fmt"
	"regexp"
	"strings"
)

// bucketPattern is the schema's pattern for a bucket: name-APPID.
var bucketPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*-[0-9]+$`)

// bucketName matches a bucket name written without its APPID.
var bucketName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z-]$|^[a-zA-Z0-9]$`)

// echo quotes a value for a message, cut to 80 characters so a huge value cannot flood it.
func echo(v string) string {
	if len(v) > 80 {
		return fmt.Sprintf("%q…", v[:80])
	}
	return fmt.Sprintf("%q", v)
}

// hostBucket matches a COS or CI host name, with or without a scheme and a path:
// <bucket>.<cos|ci>.<region>.<domain>/...
var hostBucket = regexp.MustCompile(`^(?:[a-zA-Z][a-zA-Z0-9+.-]*://)?([^./]+)\.(?:cos|ci|pic|cos-website)\.([a-z0-9-]+)\.[^/]+`)

// bucketAdvice explains why a value is not a bucket, echoing it and suggesting the fix
// when one is clear: a host name written for the bucket, a missing APPID, capitals.
func bucketAdvice(v string) string {
	if m := hostBucket.FindStringSubmatch(v); m != nil {
		msg := fmt.Sprintf("%s is a host name or URL, not a bucket: write the bucket alone, bucket: %s", echo(v), m[1])
		return msg + fmt.Sprintf(" (its region, %s, goes in region)", m[2])
	}
	if lower := strings.ToLower(v); lower != v && bucketPattern.MatchString(lower) {
		return fmt.Sprintf("%s has capital letters; bucket names are lowercase: %s", echo(v), lower)
	}
	if trimmed := strings.TrimSpace(v); trimmed != v && bucketPattern.MatchString(trimmed) {
		return fmt.Sprintf("%s has spaces around it: %s", echo(v), trimmed)
	}
	if v != "" && len(v) <= 50 && bucketName.MatchString(v) {
		return fmt.Sprintf("%s has no APPID: a bucket is written name-APPID, e.g. %s-1250000000", echo(v), strings.ToLower(v))
	}
	return fmt.Sprintf("%s is not a bucket: write it name-APPID, e.g. examplebucket-1250000000 (lowercase letters, digits and '-')", echo(v))
}
