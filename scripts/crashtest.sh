#!/bin/sh
# crashtest.sh: the long crash test of CONTRACT §4 ("a run killed at any instant (kill -9)
# and run again ends with every request triggered exactly once").
#
# It builds planrun and runs KILLS trials, each on a fresh emulator (5% of creates uncertain)
# and a fresh state: `planrun run --parallel PARALLEL --qps 0` of a plan of REQUESTS requests is
# killed with SIGKILL (at a random instant, or once the service has created a random number
# of the jobs), run again to completion, and the service must hold exactly one job per
# request. The numbers are printed at the end ("crash: ...").
#
# Usage: scripts/crashtest.sh [KILLS [REQUESTS [SEED [PARALLEL]]]]     (defaults: 20 5000, random seed, 32)
set -eu
cd "$(dirname "$0")/.."
kills=${1:-20}
requests=${2:-5000}
seed=${3:-0}
parallel=${4:-32}
exec go test ./cmd/planrun -run '^TestCrashKill9ThenRerunTriggersEachRequestExactlyOnce$' -count=1 -v -timeout 60m \
	-crash.kills="$kills" -crash.requests="$requests" -crash.seed="$seed" -crash.parallel="$parallel"
