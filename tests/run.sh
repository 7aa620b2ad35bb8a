#!/usr/bin/env bash
# Run every test and end with one line "N passed, N failed".
#
# Two kinds of suites, both reporting TAP-style "ok ..." / "not ok ..." lines:
#   $BUILD/tests/test_*   cmocka unit tests (one binary per module)
#   tests/suite_*.sh      shell-driven suites (transcripts, lessons, tmux,
#                         plots); each gets the nnlab binary in $NNLAB.
# A line "# measured: TEXT" from a suite is shown under its counts.
# A suite that crashes or prints no result counts as one failure.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export LC_ALL=C NO_COLOR=1 NNLAB="$PWD/$BUILD/nnlab" BUILD
export CMOCKA_MESSAGE_OUTPUT=TAP
# Keep the user's own history and progress out of the tests.
export XDG_STATE_HOME=$(mktemp -d) HOME_SAVED=$HOME
trap 'rm -rf "$XDG_STATE_HOME"' EXIT

passed=0 failed=0
log=$(mktemp)
run_suite() {
    local name=$1; shift
    local start=$(date +%s.%N)
    "$@" >"$log" 2>&1
    local rc=$?
    local ok=$(grep -c '^ok ' "$log")
    local bad=$(grep -c '^not ok ' "$log")
    if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
    [ "$ok" -eq 0 ] && [ "$bad" -eq 0 ] && bad=1
    passed=$((passed + ok)); failed=$((failed + bad))
    printf '%-28s %4d passed %3d failed  %5.1fs\n' "$name" "$ok" "$bad" \
        "$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')"
    # Figures a suite measures (start-up time) are shown with its counts.
    sed -n 's/^# measured: /    /p' "$log"
    if [ "$bad" -ne 0 ]; then
        grep -v '^ok ' "$log" | sed 's/^/    /' | head -60
    fi
}

for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    run_suite "$(basename "$t")" "$t"
done
for s in tests/suite_*.sh; do
    [ -f "$s" ] || continue
    run_suite "$(basename "$s" .sh)" bash "$s"
done
rm -f "$log"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
