// Package output writes the files a command leaves behind: report files written atomically
// (to a temporary file renamed into place) or through a symbolic link, a device, a FIFO or a
// descriptor in place; the GitHub step summary appended to; and the checks, made before
// anything is sent, that every output path can be written and replaces neither the state
// file, its companions, a plan file nor another output. It renders nothing: what goes into
// a file comes from report, through an io.Writer. It imports no planrun package.
package output
