#!/usr/bin/env bash
# Search throughput: the same search (digits, 64-256-256-10, Adam, 8
# random trials of 20 epochs, learning rates that never diverge, so every
# trial does the same work) with jobs=1 and jobs=2, side by side in one
# run, ROUNDS times each, interleaved; the best of each (other load on the
# machine only ever makes a run slower), in trials a minute, and their
# ratio against the target of 1.7x on two cores.  The time is the search's
# own (nnlab prints it), without start-up and loading the data.
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

rate() { # JOBS: trials a minute of one search
    "$NNLAB" -c "data digits; normalize on; net 64 256 256 10; optim adam;
                 search lr=1e-4..1e-3:log n=8 epochs=$EPOCHS jobs=$1" |
        sed -n 's/.* trials in .* s with jobs=[0-9]*: \([0-9.]*\) trials a minute/\1/p'
}

load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo 0)
best1=0 best2=0
for _ in $(seq "$ROUNDS"); do
    r1=$(rate 1) r2=$(rate 2)
    echo "  round: jobs=1 ${r1:-?} trials/min, jobs=2 ${r2:-?} trials/min"
    best1=$(awk -v a="$best1" -v b="${r1:-0}" 'BEGIN { print (b > a ? b : a) }')
    best2=$(awk -v a="$best2" -v b="${r2:-0}" 'BEGIN { print (b > a ? b : a) }')
done
awk -v a="$best1" -v b="$best2" -v load="$load" -v cpus="$(nproc)" \
    -v e="$EPOCHS" 'BEGIN {
    x = a > 0 ? b / a : 0
    printf "search throughput (8 trials of %d epochs, digits 64-256-256-10,", e
    printf " %d CPUs, load average %s at the start):\n", cpus, load
    printf "  jobs=1 %.1f trials a minute, jobs=2 %.1f: %.2fx\n", a, b, x
    printf "%-5s search with jobs=2 >= 1.7x jobs=1 on two cores (%.2fx)\n",
        (x >= 1.7 ? "PASS" : "MISS"), x
    if (load > 0.5)
        printf "note: other work on the machine (load %s) takes cores" \
            " from the workers.\n", load
}'
