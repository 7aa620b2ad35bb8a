#!/usr/bin/env bash
# Search throughput: the same search (digits, 64-256-256-10, Adam, 8
# random trials of 20 epochs, learning rates that never diverge, so every
# trial does the same work) with jobs=1 and jobs=2, side by side in one
# run, ROUNDS times each, interleaved; the best of each (other load on the
# machine only ever makes a run slower), in trials a minute, and their
# ratio against the target of 1.7x on two cores.  The time is the search's
# own (nnlab prints it), without start-up and loading the data.  Beside
# each figure: the cores the run got (its CPU time over its wall time),
# which says whether other work on the machine took them.
#
#   NNLAB                    the nnlab binary (required)
#   NNLAB_SEARCH_ROUNDS      rounds (default 3)
#   NNLAB_BENCH_QUICK=1      fewer epochs, for a smoke test
set -u
NNLAB=${NNLAB:?NNLAB must name the nnlab binary}
ROUNDS=${NNLAB_SEARCH_ROUNDS:-3}
EPOCHS=20
[ "${NNLAB_BENCH_QUICK:-0}" = 1 ] && EPOCHS=3 ROUNDS=1
export LC_ALL=C

# JOBS: "trials-a-minute cores" of one search, cores being the CPU time of
# nnlab and its workers over the wall time (how many cores it got).
rate() {
    local out t
    t=$(mktemp)
    out=$( { TIMEFORMAT='%R %U %S'; time "$NNLAB" -c "data digits;
              normalize on; net 64 256 256 10; optim adam;
              search lr=1e-4..1e-3:log n=8 epochs=$EPOCHS jobs=$1"; } 2>"$t")
    printf '%s %s\n' \
        "$(printf '%s\n' "$out" | sed -n 's/.* trials in .* s with jobs=[0-9]*: \([0-9.]*\) trials a minute/\1/p')" \
        "$(awk '{ printf "%.2f", ($1 > 0 ? ($2 + $3) / $1 : 0) }' "$t")"
    rm -f "$t"
}

load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo 0)
best1=0 best2=0 cores1=0 cores2=0
for _ in $(seq "$ROUNDS"); do
    read -r r1 c1 <<<"$(rate 1)"
    read -r r2 c2 <<<"$(rate 2)"
    echo "  round: jobs=1 ${r1:-?} trials/min on ${c1:-?} cores," \
         "jobs=2 ${r2:-?} trials/min on ${c2:-?} cores"
    if awk -v a="$best1" -v b="${r1:-0}" 'BEGIN { exit !(b > a) }'; then
        best1=$r1 cores1=$c1
    fi
    if awk -v a="$best2" -v b="${r2:-0}" 'BEGIN { exit !(b > a) }'; then
        best2=$r2 cores2=$c2
    fi
done
awk -v a="$best1" -v b="$best2" -v load="$load" -v cpus="$(nproc)" \
    -v e="$EPOCHS" -v c1="$cores1" -v c2="$cores2" 'BEGIN {
    x = a > 0 ? b / a : 0
    printf "search throughput (8 trials of %d epochs, digits 64-256-256-10,", e
    printf " %d CPUs, load average %s at the start):\n", cpus, load
    printf "  jobs=1 %.1f trials a minute (on %s cores), jobs=2 %.1f (on %s" \
        " cores): %.2fx\n", a, c1, b, c2, x
    printf "%-5s search with jobs=2 >= 1.7x jobs=1 on two cores (%.2fx)\n",
        (x >= 1.7 ? "PASS" : "MISS"), x
    if (load > 0.5 || c2 < 1.7)
        printf "note: load average %s at the start; the two workers got" \
            " CPU time of %s cores (other work took the rest).\n",
            load, c2
}'
