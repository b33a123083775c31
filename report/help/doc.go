// Package help renders what planrun says about itself: the usage, each command's --help
// with its flags (two dashes, as the README writes them), and the shell completion
// scripts. It knows no plan, state or result.
package help
