package state

// lockInode says Lock also locks the database file itself. On Linux flock locks and the
// POSIX locks SQLite takes on the same file are apart and do not disturb each other.
const lockInode = true
