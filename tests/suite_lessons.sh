#!/usr/bin/env bash
# The lessons, run unattended:
#   - every shipped lesson with `nnlab --lesson NAME --auto`, which runs each
#     command and check and exits non-zero if any failed;
#   - every mutant of tests/lesson_mutants.txt: a lesson with the cause of
#     its phenomenon taken out (a sed script) must fail the check named,
#     run one section alone (--section N), with every command of the
#     section succeeding (unless the line says a command may fail), so a
#     check cannot pass whatever happens and the section sets up what it
#     needs.
# Two runs at a time (two cores).  One TAP line each; a failing run's
# output is shown.
set -u
cd "$(dirname "$0")/.."
NNLAB=${NNLAB:-$PWD/build/nnlab}
export NNLAB_LESSONS="$PWD/lessons" LC_ALL=C NO_COLOR=1
# Progress of these runs must not touch the user's.
[ -n "${XDG_STATE_HOME:-}" ] || export XDG_STATE_HOME=$(mktemp -d)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# run_lesson ID DIR NAME [ARGS...]: output in $TMP/ID.out, status in .rc
run_lesson() {
    local id=$1 dir=$2 name=$3
    shift 3
    (cd "$TMP" && NNLAB_LESSONS=$dir timeout 600 "$NNLAB" --lesson "$name" \
         --auto "$@" </dev/null >"$TMP/$id.out" 2>&1
     echo $? >"$TMP/$id.rc")
}

jobs=()
lessons=(lessons/*.lesson)
for f in "${lessons[@]}"; do
    name=$(basename "$f" .lesson)
    jobs+=("lesson $name")
    run_lesson "l-$name" "$PWD/lessons" "$name" &
    [ $(jobs -r | wc -l) -ge 2 ] && wait -n
done
m=0
while IFS=$'\t' read -r name section script want may_fail; do
    case $name in ''|'#'*) continue ;; esac
    m=$((m + 1))
    mkdir -p "$TMP/m$m"
    sed -e "$script" "lessons/$name.lesson" >"$TMP/m$m/$name.lesson"
    if cmp -s "lessons/$name.lesson" "$TMP/m$m/$name.lesson"; then
        echo "the script changed nothing" >"$TMP/m$m.out"
        echo 99 >"$TMP/m$m.rc"
    else
        run_lesson "m$m" "$TMP/m$m" "$name" --section "$section" &
    fi
    jobs+=("mutant $m: $name section $section without its cause fails '$want'")
    printf '%s\n' "$want" >"$TMP/m$m.want"
    printf '%s\n' "${may_fail:-}" >"$TMP/m$m.may"
    [ $(jobs -r | wc -l) -ge 2 ] && wait -n
done <tests/lesson_mutants.txt
wait

echo "1..${#jobs[@]}"
n=0
for f in "${lessons[@]}"; do
    n=$((n + 1))
    name=$(basename "$f" .lesson)
    rc=$(cat "$TMP/l-$name.rc")
    if [ "$rc" -eq 0 ]; then
        echo "ok $n lesson $name"
    else
        echo "not ok $n lesson $name (exit status $rc)"
        sed 's/^/#   /' "$TMP/l-$name.out"
    fi
done
for i in $(seq "$m"); do
    n=$((n + 1))
    want=$(cat "$TMP/m$i.want")
    rc=$(cat "$TMP/m$i.rc")
    cmds_ok=1
    [ "$(cat "$TMP/m$i.may")" = "commands may fail" ] ||
        grep -q ', 0 of [0-9]* commands failed$' "$TMP/m$i.out" || cmds_ok=0
    if [ "$rc" -eq 1 ] && [ $cmds_ok -eq 1 ] &&
       grep -qF -- "check failed: $want" "$TMP/m$i.out"
    then
        echo "ok $n ${jobs[$((n - 1))]}"
    else
        echo "not ok $n ${jobs[$((n - 1))]} (exit status $rc)"
        sed 's/^/#   /' "$TMP/m$i.out" | tail -40
    fi
done
