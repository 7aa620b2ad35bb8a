#!/usr/bin/env bash
# The whole program: nnlab started as a user starts it,
#
#   nnlab -c 'data digits; normalize on; net 64 64 32 10; optim adam;
#             batch 64; train 2000 iters; eval'
#
# against the same work in PyTorch (bench/torch_program.py: Python's
# start-up and `import torch` included), each timed from outside as a
# whole process, for digits and for Fashion-MNIST (784-256-128-10, batch
# 128, 500 updates: loading 70 000 images and evaluating them included).
# Each round runs nnlab, then PyTorch with OpenMP's default wait policy and
# with OMP_WAIT_POLICY=passive (see run.sh; passive alone on
# Fashion-MNIST, where it is always the faster); every side keeps its
# fastest run, and PyTorch's training loop its fastest too (what
# torch_program.py times around the loop alone).
#
#   whole_program.sh [ENV-PREFIX...]     e.g. env -u OPENBLAS_CORETYPE
#
# NNLAB names the nnlab binary; PY a python3 that imports torch (none: the
# nnlab side alone); ROUNDS the rounds (2; run.sh asks for 1, to keep
# `make bench` short).  One line per workload:
#
#   whole digits iters 2000 nnlab 0.171 torch 2.310 loop 0.930 s
#         nnlab-test 0.9703 torch-test 0.9704 kernel Haswell
set -u
NNLAB=${NNLAB:?NNLAB must name the nnlab binary}
PY=${PY:-}
ROUNDS=${ROUNDS:-2}
cd "$(dirname "$0")/.." || exit 1
[ $# -gt 0 ] || set -- env

now() { date +%s%N; }
# seconds between two now()s
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }
fastest() { printf '%s\n' "$@" | sort -g | head -1; }

# measure NAME ITERS BATCH DATA NET ENV-PREFIX...
measure() {
    local name=$1 iters=$2 batch=$3 data=$4 net=$5
    shift 5
    local cmds="data $data; normalize on; net $net; optim adam;"
    cmds="$cmds batch $batch; train $iters iters; eval"
    local nn=() pt=() loop=() ntest=- ttest=- t0 t1 out
    for _ in $(seq "$ROUNDS"); do
        t0=$(now)
        out=$("$@" "$NNLAB" -c "$cmds") || return 1
        t1=$(now)
        nn+=("$(secs "$t0" "$t1")")
        ntest=$(echo "$out" | awk '$1 == "test" { print $4 }')
        [ -n "$PY" ] || continue
        # Fashion-MNIST's products are large: PyTorch's spinning OpenMP
        # threads fight OpenBLAS's for the cores (run.sh), and passive
        # is the faster there, by seconds
        local policies="default passive"
        [ "$name" = digits ] || policies=passive
        for policy in $policies; do
            t0=$(now)
            if [ "$policy" = passive ]; then
                out=$(OMP_WAIT_POLICY=passive "$@" "$PY" \
                      bench/torch_program.py "$name" "$iters" "$batch")
            else
                out=$("$@" "$PY" bench/torch_program.py "$name" "$iters" \
                      "$batch")
            fi || return 1
            t1=$(now)
            pt+=("$(secs "$t0" "$t1")")
            loop+=("$(echo "$out" | awk '$1 == "torch-program" { print $6 }')")
            ttest=$(echo "$out" | awk '$1 == "test" { print $5 }')
        done
    done
    local kernel
    kernel=$("$@" "$PWD/${BUILD:-build}/bench/bench" -t 1 kernel 2>/dev/null |
             awk '$2 == "kernel" { print $3 }')
    printf 'whole %s iters %s nnlab %s torch %s loop %s s nnlab-test %s ' \
        "$name" "$iters" "$(fastest "${nn[@]}")" \
        "$( [ ${#pt[@]} -gt 0 ] && fastest "${pt[@]}" || echo -)" \
        "$( [ ${#loop[@]} -gt 0 ] && fastest "${loop[@]}" || echo -)" \
        "$ntest"
    printf 'torch-test %s kernel %s\n' "$ttest" "${kernel:--}"
}

measure digits 2000 64 digits "64 64 32 10" "$@"
if [ -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
    measure fmnist 500 128 fashion "784 256 128 10" "$@"
fi
