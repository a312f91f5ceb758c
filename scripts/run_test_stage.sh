#!/usr/bin/env bash
# Runs one stage of `make test` with its output kept in .build/test-logs/NAME.log, and when the
# stage fails, ends with a summary of why: the failed tests, and for a crash the crashed thread's
# frames and the test they name. CI shows only the end of a run's output, and a crash's end is
# its register dump and list of libraries, which say nothing of where it happened.
#   scripts/run_test_stage.sh NAME COMMAND [ARGUMENT...]
set -uo pipefail
name=$1
shift
logs="$(cd "$(dirname "$0")/.." && pwd)/.build/test-logs"
mkdir -p "$logs"
log="$logs/$name.log"
"$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then
    echo
    echo "=== $name failed (exit status $status); the whole output is in $log ==="
    python3 "$(dirname "$0")/test_failure_summary.py" "$log"
fi
exit "$status"
