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

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			return v
		}
		rev, dirty := "", ""
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = "-dirty"
				}
			}
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if rev != "" {
			return "devel-" + rev + dirty
		}
	}
	return "devel"
}
