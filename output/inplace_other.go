//go:build !unix

package output

// openNonblock is 0 where FIFOs do not exist.
const openNonblock = 0

// noReader is false where FIFOs do not exist.
func noReader(error) bool { return false }
