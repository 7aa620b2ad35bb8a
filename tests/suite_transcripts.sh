#!/usr/bin/env bash
# Transcript tests: the shell as a script sees it.
#
# Every tests/transcripts/NAME.nn is fed to `$NNLAB -q` on standard input
# (so no terminal: no prompt, no colour), with LC_ALL=C, from inside
# tests/transcripts so scripts can `source lib/...`.  Its standard output
# and standard error together must equal NAME.out exactly, and the exit
# status must be the one its header asks for.  The header is the leading
# comment lines:
#   # status: 1        the expected exit status (default 0)
#   # args: -k         extra arguments for nnlab
# UPDATE=1 bash tests/suite_transcripts.sh rewrites the .out files from
# what nnlab prints now: read the diff before committing it.
# Prints TAP lines: "ok N NAME", or "not ok N NAME" with the diff.
set -u
cd "$(dirname "$0")/transcripts" || exit 1
NNLAB=${NNLAB:-$PWD/../../build/nnlab}
export LC_ALL=C NO_COLOR=1
# text-terminal plots size themselves from these: use the default 79x24
unset COLUMNS LINES
export XDG_STATE_HOME=${XDG_STATE_HOME:-$(mktemp -d)}

# The value of "# KEY: value" among the leading comment lines of a file.
header() {
    awk -v key="$2" '
        !/^#/ { exit }
        { sub(/^# */, "") }
        index($0, key ":") == 1 { sub(/^[^:]*: */, ""); print; exit }
    ' "$1"
}

out=$(mktemp)
trap 'rm -f "$out"' EXIT
n=0 failed=0
for script in *.nn; do
    [ -f "$script" ] || continue
    name=${script%.nn}
    n=$((n + 1))
    want=$(header "$script" status)
    want=${want:-0}
    args=$(header "$script" args)
    # shellcheck disable=SC2086  # args are words on purpose
    timeout 120 "$NNLAB" -q $args <"$script" >"$out" 2>&1
    got=$?
    if [ "${UPDATE:-0}" = 1 ]; then
        cp "$out" "$name.out"
    fi
    if [ ! -f "$name.out" ]; then
        echo "not ok $n $name (no $name.out: run with UPDATE=1)"
        failed=$((failed + 1))
    elif ! diff -u "$name.out" "$out" >/dev/null; then
        echo "not ok $n $name (output differs: - expected, + got)"
        diff -u "$name.out" "$out" | tail -n +3 | head -40 | sed 's/^/#   /'
        failed=$((failed + 1))
    elif [ "$got" != "$want" ]; then
        echo "not ok $n $name (exit status $got, expected $want)"
        failed=$((failed + 1))
    else
        echo "ok $n $name"
    fi
done
echo "1..$n"
[ "$failed" -eq 0 ]
