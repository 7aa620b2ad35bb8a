#!/usr/bin/env bash
# Every shipped lesson, run unattended: `nnlab --lesson NAME --auto` runs
# each command and check and exits non-zero if any failed.  One TAP line
# per lesson; the lesson's output is shown when it fails.
set -u
cd "$(dirname "$0")/.."
NNLAB=${NNLAB:-$PWD/build/nnlab}
export NNLAB_LESSONS="$PWD/lessons" LC_ALL=C NO_COLOR=1
# Progress of these runs must not touch the user's.
[ -n "${XDG_STATE_HOME:-}" ] || export XDG_STATE_HOME=$(mktemp -d)

lessons=(lessons/*.lesson)
echo "1..${#lessons[@]}"
n=0
for f in "${lessons[@]}"; do
    n=$((n + 1))
    name=$(basename "$f" .lesson)
    out=$(cd "${TMPDIR:-/tmp}" && timeout 600 "$NNLAB" --lesson "$name" \
          --auto </dev/null 2>&1)
    rc=$?
    if [ "$rc" -eq 0 ]; then
        echo "ok $n lesson $name"
    else
        echo "not ok $n lesson $name (exit status $rc)"
        printf '%s\n' "$out" | sed 's/^/#   /'
    fi
done
