//go:build !linux

package state

// lockInode says Lock also locks the database file itself. Elsewhere flock and POSIX locks
// may meet (BSD), so only <state>.lock, named after the resolved path, is locked: a hard
// link to the state is not detected there.
const lockInode = false
