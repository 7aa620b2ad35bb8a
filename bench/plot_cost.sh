#!/usr/bin/env bash
# What live plotting costs training: the same run (a small network, where
# plotting weighs most) with and without five live plots drawn to PNG by
# a real gnuplot, three times each, interleaved; the median training time
# of each and their ratio.  Prints one line for bench/run.sh.
set -u
NNLAB=${NNLAB:?NNLAB must name the nnlab binary}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 1
base='data circles n=2000
net 2 32 32 1
batch 16
optim adam lr=0.001
threads 1'
printf '%s\ntrain 150 epochs\n' "$base" >plain.nn
printf '%s\nplot term png\nplot loss acc weights grads updates\ntrain 150 epochs\n' \
    "$base" >live.nn
seconds() { "$NNLAB" "$1" | sed -n 's/.*updates in \([0-9.]*\)s.*/\1/p'; }
plain=() live=()
for _ in 1 2 3; do
    plain+=("$(seconds plain.nn)")
    live+=("$(seconds live.nn)")
done
median() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
p=$(median "${plain[@]}") l=$(median "${live[@]}")
awk -v p="$p" -v l="$l" 'BEGIN {
    printf "plotting: training %.3f s without plots, %.3f s with 5 live plots: %+.0f%%\n",
           p, l, (l / p - 1) * 100 }'
