#!/usr/bin/env bash
# What live plotting costs training: the same run with and without live
# plots drawn to PNG by a real gnuplot, three times each, interleaved; the
# median training time of each and their ratio.  Two cases:
#   small  a small network (where building the frames weighs most), five
#          plots, one BLAS thread (gnuplot has a core of its own);
#   fmnist 784-256-128-10 on 5000 Fashion-MNIST images, two plots, BLAS on
#          every core (gnuplot competes with training for them).
# With LOAD=N, N busy loops (another program keeping the cores busy) run
# beside every measurement, with and without plots alike.
# Prints one line per case for bench/run.sh.
set -u
NNLAB=${NNLAB:?NNLAB must name the nnlab binary}
LOAD=${LOAD:-0}
dir=$(mktemp -d)
loops=()
cleanup() {
    [ ${#loops[@]} -gt 0 ] && kill "${loops[@]}" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT
cd "$dir" || exit 1
for _ in $(seq "$LOAD"); do
    (while :; do :; done) &
    loops+=($!)
done
loaded=""
[ "$LOAD" -gt 0 ] && loaded=", $LOAD busy loops beside"

seconds() { "$NNLAB" "$1" | sed -n 's/.*updates in \([0-9.]*\)s.*/\1/p'; }
median() { printf '%s\n' "$@" | sort -g | sed -n 2p; }

# measure NAME BASE PLOTS TRAIN: one line
measure() {
    printf '%s\n%s\n' "$2" "$4" >plain.nn
    printf '%s\nplot term png\nplot %s\n%s\n' "$2" "$3" "$4" >live.nn
    local plain=() live=()
    for _ in 1 2 3; do
        plain+=("$(seconds plain.nn)")
        live+=("$(seconds live.nn)")
    done
    local p l n
    p=$(median "${plain[@]}") l=$(median "${live[@]}")
    n=$(echo "$3" | wc -w)
    awk -v name="$1$loaded" -v p="$p" -v l="$l" -v n="$n" 'BEGIN {
        printf "plotting (%s): training %.3f s without plots, %.3f s with " \
               "%d live plots: %+.0f%%\n", name, p, l, n, (l / p - 1) * 100 }'
}

measure "small, 1 thread" 'data circles n=2000
net 2 32 32 1
batch 16
optim adam lr=0.001
threads 1' "loss acc weights grads updates" "train 150 epochs"

# (beside busy loops training runs several times slower: fewer epochs)
epochs=40
[ "$LOAD" -gt 0 ] && epochs=10
if [ -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
    measure "fmnist, all threads, $epochs epochs" 'data fashion limit=5000
net 784 256 128 10
optim adam lr=0.001' "loss grads" "train $epochs epochs"
fi
