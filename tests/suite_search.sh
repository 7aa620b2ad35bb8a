#!/usr/bin/env bash
# Searches that use every core and outgrow one machine, tested for real:
# an exported search run through GNU parallel with two job slots and
# imported back; the Slurm job array checked with Slurm's own sbatch when
# it is installed (else its form) and one of its tasks run as Slurm would;
# a worker killed in the middle of a search; Ctrl-C in a script and at
# the prompt (tmux), with the progress line; nnlab --result's usage.
# Prints TAP lines.
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
NNLAB=${NNLAB:-$PWD/build/nnlab}
export LC_ALL=C NO_COLOR=1
TMP=$(mktemp -d)
export XDG_STATE_HOME=$TMP/state
source tests/tty_lib.sh
trap 'tty_cleanup; rm -rf "$TMP"' EXIT

n=0 failed=0
check() { # NAME COMMAND...: ok when the command succeeds
    local name=$1
    shift
    n=$((n + 1))
    if "$@" >"$TMP/out" 2>&1; then
        echo "ok $n $name"
    else
        echo "not ok $n $name"
        head -30 "$TMP/out" | sed 's/^/#   /'
        failed=$((failed + 1))
    fi
}

SETUP='data moons n=200 seed=4; seed 3; split train=60 dev=20 test=20;
       net 2 8 1; batch 32; optim adam'
SPACE='lr=1e-3..1:log reg=1e-4..1:log n=6 epochs=3'
# The table of a search, without its first line (which says how it ran).
table() { sed -n '/^  rank/,/^  [0-9]* epochs trained/p' | grep -v 'epochs trained'; }

# --- export, GNU parallel with two slots, import --------------------------
exported() {
    cd "$TMP" || return 1
    "$NNLAB" -q -c "$SETUP; search $SPACE export=tune.jobs" || return 1
    [ "$(wc -l <tune.jobs)" = 6 ] || { echo "not 6 lines"; return 1; }
    [ -f tune.model ] && [ -x tune.slurm ]
}
check "search export writes 6 command lines, a model and a Slurm script" \
    exported

through_parallel() {
    cd "$TMP" || return 1
    command -v parallel >/dev/null || { echo "GNU parallel missing"; return 1; }
    parallel -j 2 <tune.jobs >parallel.log 2>&1 || { cat parallel.log; return 1; }
    [ "$(grep -c '^[0-9]' tune.csv)" = 6 ] || { cat tune.csv; return 1; }
    "$NNLAB" -q -c 'search import tune.csv' >imported.txt || return 1
    "$NNLAB" -q -c "$SETUP; search $SPACE jobs=2" >local.txt || return 1
    grep -q '6 rows of a random search (6 trials)' imported.txt &&
        diff <(table <local.txt) <(table <imported.txt)
}
check "parallel -j 2 runs them; search import shows the local search's table" \
    through_parallel

rows_complete() {
    cd "$TMP" || return 1
    head -1 tune.csv | grep -q '^trial,method,rung,epochs,seed,lr,reg,.*,seconds,host,finished$' &&
        awk -F, -v host="$(hostname)" 'NR > 1 {
            if (NF != 22 || $5 != 3 || $6 == "" || $7 == "" || $15 != "done" ||
                $21 != host || $22 !~ /^20[0-9-]*T[0-9:]*Z$/) bad++ }
            END { exit bad > 0 }' tune.csv
}
check "each row: settings, seed, metrics, time and host" rows_complete

refine_after_import() {
    cd "$TMP" || return 1
    "$NNLAB" -q -c "$SETUP; search import tune.csv; search refine jobs=2" |
        grep -q 'search refine: narrowed to the best 3 trials'
}
check "search refine after import" refine_after_import

# --- Slurm ----------------------------------------------------------------
slurm_form() {
    cd "$TMP" || return 1
    bash -n tune.slurm || return 1
    head -1 tune.slurm | grep -q '^#!/bin/bash$' || return 1
    grep -q '^#SBATCH --array=1-6$' tune.slurm || return 1
    # every #SBATCH line before the first command, as sbatch requires
    awk '/^#SBATCH/ { if (cmd) exit 1 } !/^#/ && NF { cmd = 1 }' tune.slurm
}
slurm_check() {
    cd "$TMP" || return 1
    slurm_form || { echo "the script's form is wrong"; return 1; }
    if ! command -v sbatch >/dev/null; then
        echo "# sbatch not installed: the script's form was checked" >&2
        return 0
    fi
    if scontrol ping 2>/dev/null | grep -q UP; then
        sbatch --test-only tune.slurm   # a real cluster answers
        return
    fi
    # No controller here: sbatch still reads the #SBATCH options with a
    # configuration of its own and stops only when it would contact one.
    printf '%s\n' 'ClusterName=nnlabcheck' 'SlurmctldHost=localhost' \
        'NodeName=localhost CPUs=2 State=UNKNOWN' \
        'PartitionName=debug Nodes=localhost Default=YES' >slurm.conf
    local out
    out=$(SLURM_CONF=$TMP/slurm.conf timeout 60 sbatch --test-only \
          tune.slurm 2>&1)
    printf '%s\n' "$out"
    printf '%s\n' "$out" | grep -q 'Unable to contact slurm controller' || return 1
    # and an option it does not know is refused the same way
    sed 's/--ntasks=1/--ntasks-bogus=1/' tune.slurm >bad.slurm
    ! SLURM_CONF=$TMP/slurm.conf timeout 60 sbatch --test-only bad.slurm \
        2>&1 | grep -q 'Unable to contact'
}
check "the Slurm job array passes sbatch's own parsing (or its form)" \
    slurm_check

slurm_task() {
    cd "$TMP" || return 1
    rm -f tune.csv
    SLURM_ARRAY_TASK_ID=4 bash tune.slurm >task.log 2>&1 || return 1
    [ "$(grep -c '^4,random,' tune.csv)" = 1 ] &&
        [ "$(grep -c '^[0-9]' tune.csv)" = 1 ]
}
check "a Slurm array task runs its trial and appends its row" slurm_task

# --- a worker dies; Ctrl-C ------------------------------------------------
SLOW='data digits; normalize on; net 64 256 256 10; optim adam;
      search lr=1e-4..1e-2:log n=6 epochs=30 jobs=2'

# The workers (children) of process $1, once there are two.
workers_of() {
    local i kids
    for i in $(seq 200); do
        kids=$(pgrep -P "$1" | tr '\n' ' ')
        [ "$(wc -w <<<"$kids")" -ge 2 ] && { echo "$kids"; return 0; }
        sleep 0.05
    done
    return 1
}

worker_dies() {
    "$NNLAB" -q -c "$SLOW" >"$TMP/died.txt" 2>&1 &
    local pid=$! kids victim
    kids=$(workers_of "$pid") || { kill "$pid"; return 1; }
    victim=${kids%% *}
    kill -KILL "$victim"
    wait "$pid" || true
    tail -12 "$TMP/died.txt"
    grep -q "failed: its worker (process $victim) was killed by signal 9" \
        "$TMP/died.txt" || return 1
    # the others went on: five trials with numbers, one failed
    [ "$(table <"$TMP/died.txt" |
         grep -cE '^ +[0-9]+ +[0-9]+ +[0-9.e-]+ +[0-9.]+ +[0-9.]+$')" = 5 ] &&
        [ "$(table <"$TMP/died.txt" | grep -c ' failed$')" = 1 ]
}
check "a worker killed: its trial failed, the others go on" worker_dies

ctrl_c_script() {
    "$NNLAB" -q -c "$SLOW" >"$TMP/int.txt" 2>&1 &
    local pid=$! kids rc k
    kids=$(workers_of "$pid") || { kill "$pid"; return 1; }
    sleep 0.5
    kill -INT "$pid"
    wait "$pid"
    rc=$?
    tail -12 "$TMP/int.txt"
    [ "$rc" = 130 ] || { echo "exit $rc, not 130"; return 1; }
    grep -q 'search: interrupted: every trial stopped; the [0-9]* finished are kept' \
        "$TMP/int.txt" || return 1
    for k in $kids; do
        if kill -0 "$k" 2>/dev/null; then echo "worker $k still there"; return 1; fi
    done
}
check "Ctrl-C in a script: every worker stops, exit 130" ctrl_c_script

# --- at the prompt: the progress line, Ctrl-C -----------------------------
ctrl_c_prompt() {
    tty_start srch -q || return 1
    tty_wait srch 'nnlab>' || return 1
    tty_type srch "$(tr '\n' ' ' <<<"$SLOW")"
    tty_keys srch Enter
    tty_wait srch 'search: [0-9]+ of 6 trials done, 2 running \([0-9]+, [0-9]+\), [0-9]+ waiting' 20 ||
        return 1
    tty_keys srch C-c
    tty_wait srch 'interrupted: every trial stopped' 10 || return 1
    tty_wait_last srch 'nnlab> *$' 5 || return 1
    tty_stop srch
}
check "at the prompt: progress shows trials done and running; Ctrl-C stops them" \
    ctrl_c_prompt

complete_search() {
    tty_start cmpl -q || return 1
    tty_wait cmpl 'nnlab>' || return 1
    tty_type cmpl "search lr=1e-3..1:log method=ba"
    tty_keys cmpl Tab
    tty_wait cmpl 'nnlab> search lr=1e-3..1:log method=bayes +$' 5 || return 1
    tty_type cmpl "jo"
    tty_keys cmpl Tab
    tty_wait cmpl 'method=bayes jobs= *$' 5 || return 1
    tty_keys cmpl C-u
    tty_type cmpl "search imp"
    tty_keys cmpl Tab
    tty_wait cmpl 'nnlab> search import +$' 5 || return 1
    tty_keys cmpl C-u
    tty_type cmpl "compare optim=gd,adam jo"
    tty_keys cmpl Tab
    tty_wait cmpl 'nnlab> compare optim=gd,adam jobs= *$' 5
    local rc=$?
    tty_stop cmpl
    return $rc
}
check "Tab completes search's method=, jobs=, import and compare's jobs=" \
    complete_search

# --- nnlab --result ---------------------------------------------------------
result_usage() {
    "$NNLAB" --result 2>&1 | grep -q -- '--result needs a FILE.csv' || return 1
    "$NNLAB" --result; [ $? = 2 ] || return 1
    "$NNLAB" -q --result "$TMP/r.csv" -c 'data moons n=100; net 2 4 1;
        search lr=0.01..0.1 n=2 epochs=1' >/dev/null &&
        [ "$(grep -c '^[12],random,1,1,1,' "$TMP/r.csv")" = 2 ]
}
check "--result: usage, and a local search appends its trials" result_usage

cd "$ROOT" || exit 1
echo "1..$n"
[ "$failed" -eq 0 ]
