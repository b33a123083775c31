//go:build !unix

package state

// oNoFollow is not available here: openCompanion checks for a link before opening.
const oNoFollow = 0

// isLoop reports whether err is what O_NOFOLLOW gives on a symbolic link (never here).
func isLoop(error) bool { return false }

// isErofs reports whether err says the file system is read-only (not told apart here).
func isErofs(error) bool { return false }

// linkCount returns how many names the file has: not told apart here.
func linkCount(string) uint64 { return 1 }
