#!/usr/bin/env bash
# The command line: options, script files, -c, standard input, the order
# they run in, and the exit status (0 ok, 1 a command failed, 2 bad usage,
# 130 Ctrl-C).  Prints TAP lines.
set -u
cd "$(dirname "$0")/.." || exit 1
NNLAB=${NNLAB:-$PWD/build/nnlab}
export LC_ALL=C NO_COLOR=1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export XDG_STATE_HOME=$TMP/state

n=0 failed=0
# expect NAME STATUS REGEX -- COMMAND...: the command (stdin from /dev/null
# unless redirected inside a function) must exit with STATUS and print
# something matching REGEX (grep -E, on stdout and stderr together).
expect() {
    local name=$1 want=$2 regex=$3
    shift 4
    local out rc
    out=$("$@" 2>&1)
    rc=$?
    n=$((n + 1))
    if [ "$rc" = "$want" ] && printf '%s\n' "$out" | grep -Eq -- "$regex"
    then
        echo "ok $n $name"
    else
        echo "not ok $n $name (exit $rc, expected $want)"
        printf '%s\n' "$out" | head -20 | sed 's/^/#   /'
        failed=$((failed + 1))
    fi
}

printf 'help seed\n' >"$TMP/a.nn"
printf 'help lr\n' >"$TMP/b.nn"
printf 'help quit\nnosuch\nhelp exit\n' >"$TMP/bad.nn"

expect "--version" 0 '^nnlab [0-9]+\.[0-9]+' -- "$NNLAB" --version
expect "--help" 0 'usage: nnlab \[SCRIPT' -- "$NNLAB" --help
expect "bad option: exit 2" 2 "nnlab: unknown option '-x'" -- "$NNLAB" -x
expect "bad long option: exit 2" 2 "unknown option '--frobnicate'" -- \
    "$NNLAB" --frobnicate
expect "-c without commands: exit 2" 2 "-c needs the commands" -- "$NNLAB" -c
expect "--auto without --lesson: exit 2" 2 "--auto goes with --lesson" -- \
    "$NNLAB" --auto
expect "--pace without --auto: exit 2" 2 "--pace and --section go with --lesson NAME --auto" -- \
    "$NNLAB" --lesson tour --pace 1
expect "--pace with a bad value: exit 2" 2 "--pace takes seconds" -- \
    "$NNLAB" --lesson tour --auto --pace soon
expect "--pace 0.01 paces a lesson run" 0 "lesson tour: .* all passed" -- \
    "$NNLAB" -q --lesson tour --auto --pace 0.01
expect "-c runs commands" 0 'example: seed 42' -- "$NNLAB" -q -c 'help seed'
expect "-c failing: exit 1" 1 "unknown command 'tarin'" -- \
    "$NNLAB" -q -c 'tarin'
expect "missing script: exit 1" 1 "nnlab: cannot open '$TMP/none.nn'" -- \
    "$NNLAB" -q "$TMP/none.nn"

in_order() {
    "$NNLAB" -q "$TMP/a.nn" -c 'help batch' "$TMP/b.nn" </dev/null |
        grep '^example:' | tr '\n' ' '
}
expect "scripts and -c run in the order given" 0 \
    '^example: seed 42 example: batch 32 example: lr 0.001 $' -- in_order

expect "a script stops at its first error" 1 \
    "stopped at line 2 of $TMP/bad.nn" -- "$NNLAB" -q "$TMP/bad.nn"
stops() { "$NNLAB" -q "$TMP/bad.nn" | grep -c 'usage:'; }
expect "... and runs nothing after it" 0 '^1$' -- stops
keeps() { "$NNLAB" -q -k "$TMP/bad.nn" | grep -c 'usage:'; }
expect "-k keeps going" 0 '^2$' -- keeps
keeps_status() { "$NNLAB" -q --keep-going "$TMP/bad.nn" >/dev/null; }
expect "-k still exits 1 after a failure" 1 '' -- keeps_status

from_stdin() { printf 'help seed\n' | "$NNLAB"; }
expect "stdin that is not a terminal is a script (no banner)" 0 \
    '^usage: +seed' -- from_stdin
no_prompt() { printf 'help seed\n' | "$NNLAB" | grep -c 'nnlab>' || true; }
expect "... with no prompt" 0 '^0$' -- no_prompt
dash() { printf 'help seed\n' | "$NNLAB" -q -c 'help lr' - ; }
expect "'-' reads standard input among the scripts" 0 'example: seed 42' -- \
    dash
quit_status() { printf 'help seed\nquit\nnosuch\n' | "$NNLAB" -q; }
expect "quit ends a script with status 0" 0 'example: seed' -- quit_status
no_color() { printf 'tarin\n' | "$NNLAB" -q | grep -c $'\033' || true; }
expect "no colour escapes without a terminal" 0 '^0$' -- no_color

# Ctrl-C while a script waits for input: exit 130 at once.
interrupted() {
    local fifo=$TMP/fifo pid rc
    mkfifo "$fifo"
    "$NNLAB" -q <"$fifo" &
    pid=$!
    exec 9>"$fifo"
    printf 'help seed\n' >&9
    sleep 0.2
    kill -INT "$pid"
    wait "$pid"
    rc=$?
    exec 9>&-
    return "$rc"
}
expect "Ctrl-C in a script: exit 130" 130 'example: seed 42' -- interrupted

# history csv: a header naming every layer's figures, a row per update
# numbered by its epoch from 1, epoch figures on the update ending one
history_csv() {
    "$NNLAB" -q -c "data xor n=40 seed=1; net 2 3 1; batch 16; train 2 epochs;
                    history csv $TMP/h.csv" >/dev/null || return 1
    head -1 "$TMP/h.csv" | tr ',\n' ' |'
    awk -F, 'NR > 1 { printf " %s:%s:%s", $1, $2, ($5 != "") }' "$TMP/h.csv"
}
expect "history csv: columns and rows" 0 "^iter epoch loss lr train_loss \
train_acc dev_loss dev_acc w_mean1 w_var1 grad_norm1 grad_var1 update_ratio1 \
w_mean2 w_var2 grad_norm2 grad_var2 update_ratio2\| 1:1:0 2:1:1 3:2:0 4:2:1$" \
    -- history_csv

# A long run thins its records: every kept epoch still has a row (35
# updates per epoch, so half the epoch ends fall between kept updates).
thinned_csv() {
    local out
    out=$("$NNLAB" -q -c "data xor n=50 seed=1; net 2 3 1; batch 1;
          train 4000 epochs every=4000; history csv $TMP/t.csv") || return 1
    local ne
    ne=$(printf '%s\n' "$out" | sed -n 's/.* and \([0-9]*\) epochs to .*/\1/p')
    awk -F, -v ne="$ne" 'NR > 1 { if ($5 != "") e++; if ($3 == "") alone++
                                  if ($1 + 0 <= last) bad++; last = $1 + 0 }
        END { printf "%s %s %s", (e == ne && ne == 4000), (alone > 0), bad + 0 }' \
        "$TMP/t.csv"
}
expect "history csv of a thinned run: every epoch record written" 0 \
    '^1 1 0$' -- thinned_csv

# train N epochs begun partway through an epoch says the first finishes it
expect "train epochs partway: a note" 0 \
    'note: epoch 1 is partway \(64 of 210 examples seen\)' -- \
    "$NNLAB" -c 'data circles; net 2 3 1; step 1; train 1 epoch'

# make install: the program finds its data and lessons from anywhere
installed() {
    make -s --no-print-directory install BUILD="${BUILD:-build}" \
        PREFIX="$TMP/inst" >/dev/null || return 1
    (cd / && "$TMP/inst/bin/nnlab" -q -c 'data iris; lesson') | tr '\n' ' '
}
expect "make install: data and lessons found from /" 0 \
    'iris: 105 train.*tour +new' -- installed

echo "1..$n"
[ "$failed" -eq 0 ]
