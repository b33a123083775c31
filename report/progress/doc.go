// Package progress draws the live lines of a run on stderr (a Console): the progress line (requests
// done, in flight, the pace) redrawn in place on a terminal, one line now and then
// otherwise, and the waiting line of --wait. It writes to the console it is given and
// reads nothing.
package progress
