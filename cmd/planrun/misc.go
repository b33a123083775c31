package main

import (
	"context"
	"flag"
	"fmt"
	"runtime/debug"

	"github.com/planrun/planrun/schema"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

const schemaUsage = `Usage: planrun schema

Prints the plan JSON Schema. Editors with yaml-language-server use it for completion and hover:
put "# yaml-language-server: $schema=<path or URL of the schema>" on the first line of a plan.

Example:
  planrun schema > plan.schema.json`

func setupSchema(fs *flag.FlagSet) runFunc {
	return func(ctx context.Context, rest []string, e *env) error {
		if len(rest) > 0 {
			return usagef("schema: takes no arguments")
		}
		_, err := e.stdout.Write(schema.JSON())
		return err
	}
}

const versionUsage = "Usage: planrun version\n\nPrints the planrun version."

func setupVersion(fs *flag.FlagSet) runFunc {
	return func(ctx context.Context, rest []string, e *env) error {
		if len(rest) > 0 {
			return usagef("version: takes no arguments")
		}
		fmt.Fprintln(e.stdout, "planrun", buildVersion())
		return nil
	}
}

// buildVersion names this binary: the -ldflags version, else the module version the
// build recorded, with the VCS commit and whether the tree had changes:
// "v0.0.0-20261207-abc1234 (commit abc1234def56, modified)". Built outside a module or
// without VCS stamping, what is known: "(devel)", or "devel".
func buildVersion() string {
	bi, _ := debug.ReadBuildInfo()
	return describeBuild(version, bi)
}

// describeBuild is buildVersion of the -ldflags version v and the build info bi (nil when
// the binary has none).
func describeBuild(v string, bi *debug.BuildInfo) string {
	if bi == nil {
		return orDevel(v)
	}
	if v == "" {
		v = bi.Main.Version
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = ", modified"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev == "" {
		return orDevel(v)
	}
	return fmt.Sprintf("%s (commit %s%s)", orDevel(v), rev, modified)
}

func orDevel(v string) string {
	if v == "" {
		return "devel"
	}
	return v
}
