// Command planrun turns checked-in YAML plan files into batch data-processing jobs on
// Tencent Cloud Cloud Infinite: it validates plans, expands them into trigger requests and
// runs them exactly once, in parallel and rate-limited. Run `planrun help` for the commands.
package main

import "os"

func main() { os.Exit(runMain(os.Args[1:])) }
