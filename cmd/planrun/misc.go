package main

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/planrun/planrun/schema"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

func cmdSchema(ctx context.Context, args []string, e *env) error {
	fs := newFlagSet(e, "schema", `Usage: planrun schema

Prints the plan JSON Schema. Editors with yaml-language-server use it for completion and hover:
put "# yaml-language-server: $schema=<path or URL of the schema>" on the first line of a plan.

Example:
  planrun schema > plan.schema.json`)
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("schema: takes no arguments")
	}
	_, err = e.stdout.Write(schema.JSON())
	return err
}

func cmdVersion(ctx context.Context, args []string, e *env) error {
	fs := newFlagSet(e, "version", "Usage: planrun version\n\nPrints the planrun version.")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "planrun", buildVersion())
	return nil
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
