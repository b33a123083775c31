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
// *.yml file under it (recursively, sorted, skipping folders whose name starts with '.',
// such as .git), a file is kept as given. Files named twice are listed once, at their
// first mention. A path that does not exist, or a folder without plans, is an error.
func Discover(paths []string) ([]string, error) {
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
			if d.IsDir() {
				if p != root && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if ext := filepath.Ext(p); ext == ".yaml" || ext == ".yml" {
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
