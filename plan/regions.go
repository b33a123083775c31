package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/planrun/planrun/schema"
)

// knownRegions are the COS regions that Tencent Cloud lists publicly in "Regions and Access
// Endpoints" (https://www.tencentcloud.com/document/product/436/6224 and
// https://cloud.tencent.com/document/product/436/6224). CI runs in the regions of its buckets.
// A region written in a plan that is one or two typing slips away from one of these is an
// error with a suggestion; a region far from all of them is only a warning, so a region
// opened after this release still works.
var knownRegions = []string{
	"ap-beijing", "ap-beijing-1", "ap-nanjing", "ap-shanghai", "ap-guangzhou", "ap-chengdu", "ap-chongqing",
	"ap-shenzhen-fsi", "ap-shanghai-fsi", "ap-beijing-fsi",
	"ap-hongkong", "ap-singapore", "ap-mumbai", "ap-jakarta", "ap-seoul", "ap-bangkok", "ap-tokyo",
	"na-siliconvalley", "na-ashburn", "na-toronto", "sa-saopaulo", "eu-frankfurt", "eu-moscow",
}

// KnownRegions returns the regions planrun knows, sorted.
func KnownRegions() []string {
	r := slices.Clone(knownRegions)
	slices.Sort(r)
	return r
}

// regionAdvice says what is wrong with a region that is not a known one: err is set when
// the region is a likely typo of a known one (with the suggestion), warn otherwise.
func regionAdvice(region string) (err, warn string) {
	if region == "" || slices.Contains(knownRegions, region) {
		return "", ""
	}
	if s := closestRegion(region); s != "" {
		return fmt.Sprintf("unknown region %q: did you mean %q?", region, s), ""
	}
	return "", fmt.Sprintf("region %q is not one planrun knows (%s); check it is the region of the bucket", region,
		strings.Join(KnownRegions(), ", "))
}

// closestRegion is the known region nearest to r when r looks like a typo of it, or
// the known region r contains ("cos.ap-beijing.myqcloud.com") or ends like ("Beijing").
func closestRegion(r string) string {
	if s := schema.Closest(r, knownRegions); s != "" {
		return s
	}
	lower := strings.ToLower(strings.TrimSpace(r))
	for _, c := range knownRegions {
		if strings.Contains(lower, "."+c+".") || strings.HasPrefix(lower, c+".") {
			return c
		}
	}
	for _, c := range knownRegions {
		if len(lower) >= 4 && strings.HasSuffix(c, "-"+lower) {
			return c
		}
	}
	// A transposed or doubled letter in a long name ("ap-singapoer") is two edits; also
	// accept three edits on names of 12 characters and more.
	best, bestD := "", 4
	for _, c := range knownRegions {
		if d := schema.Distance(r, c); d < bestD && len(r) >= 12 {
			best, bestD = c, d
		}
	}
	return best
}

// checkRegion reports a region at ptr that is a likely typo (an error) or unknown (a
// warning). Values the schema rejected are not checked again.
func (l *loader) checkRegion(ptr []string, region string) {
	if l.skip[joinPtr(ptr)] {
		return
	}
	switch e, w := regionAdvice(region); {
	case e != "":
		l.check(ptr, false, "%s", e)
	case w != "":
		l.warn(ptr, "%s", w)
	}
}
