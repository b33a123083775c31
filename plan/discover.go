package plan

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ErrNoPlans is returned (wrapped) by Discover for a folder without any plan file.
var ErrNoPlans = errors.New("no *.yaml or *.yml files")

// Discover turns command-line paths into plan files: a folder stands for every *.yaml and
// *.yml regular file under it (recursively, sorted, skipping folders whose name starts
// with '.', such as .git, and anything that is not a regular file, such as a FIFO, which
// would block a read), a file is kept as given. Files named twice are listed once, at
// their first mention. A path that does not exist, or a folder without plans, is an error.
//
// exclude holds globs (filepath.Match syntax: * and ? do not cross '/') that leave files
// and folders found under a folder out. A glob without '/' is matched against the base
// name of each file and folder at any depth ("values*.yaml", "ci"); a glob with '/' is
// matched against the path relative to the folder given, with '/' separators
// ("ci/*.yaml"), and against the path as found under it ("plans/ci/*.yaml" for the folder
// "plans"); an absolute glob is matched against the absolute path. A folder that matches
// is skipped whole. Files named explicitly are always kept.
func Discover(paths []string, exclude ...string) ([]string, error) {
	for _, g := range exclude {
		if _, err := filepath.Match(g, ""); err != nil {
			return nil, fmt.Errorf("exclude %q: %w", g, err)
		}
	}
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[filepath.Clean(p)] {
			seen[filepath.Clean(p)] = true
			out = append(out, p)
		}
	}
	for _, root := range paths {
		st, err := os.Stat(root)
		if err != nil {
			return nil, fmt.Errorf("find plans: %w", err)
		}
		if !st.IsDir() {
			add(root)
			continue
		}
		var found []string
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if p != root && excluded(root, p, exclude) {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				if p != root && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if ext := filepath.Ext(p); (ext == ".yaml" || ext == ".yml") && isRegular(p, d) {
				found = append(found, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("find plans in %s: %w", root, err)
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("find plans in %s: %w", root, ErrNoPlans)
		}
		slices.Sort(found)
		for _, p := range found {
			add(p)
		}
	}
	return out, nil
}

// excluded reports whether p, found under the folder root, matches a glob of exclude.
func excluded(root, p string, exclude []string) bool {
	if len(exclude) == 0 {
		return false
	}
	rel, err := filepath.Rel(root, p)
	if err != nil {
		rel = p
	}
	rel, full, base := filepath.ToSlash(rel), filepath.ToSlash(p), filepath.Base(p)
	for _, g := range exclude {
		g = filepath.ToSlash(g)
		if !strings.Contains(g, "/") {
			if ok, _ := filepath.Match(g, base); ok {
				return true
			}
			continue
		}
		for _, s := range []string{rel, full, strings.TrimPrefix(full, "./")} {
			if ok, _ := filepath.Match(strings.TrimPrefix(g, "./"), s); ok {
				return true
			}
		}
		// An absolute glob names the path wherever the folder was given from ("." or
		// "../plans" as well as "/work/plans").
		if filepath.IsAbs(filepath.FromSlash(g)) && !filepath.IsAbs(p) {
			if abs, err := filepath.Abs(p); err == nil {
				if ok, _ := filepath.Match(g, filepath.ToSlash(abs)); ok {
					return true
				}
			}
		}
	}
	return false
}

// isRegular reports whether the entry d at p is a regular file, following a symlink.
func isRegular(p string, d fs.DirEntry) bool {
	if d.Type().IsRegular() {
		return true
	}
	if d.Type()&fs.ModeSymlink == 0 {
		return false
	}
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}
