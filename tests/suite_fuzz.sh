#!/usr/bin/env bash
# The libFuzzer harnesses of tests/fuzz/, built with clang and the
# sanitizers (make fuzz-build, into build-fuzzer/) and each run for a few
# seconds from its seed inputs, all at once, so that they keep building
# and the loaders and the parser meet some thousands of new inputs on
# every check; `make fuzz` runs them for longer, on a corpus it keeps.
# The corpus here is a fresh one each time, so that the check does not
# slow down as a kept one grows.  Installs clang and its runtime (libclang-rt-dev) with
# tests/deps.sh when missing.  Prints TAP lines.
set -u
cd "$(dirname "$0")/.." || exit 1
SECONDS_EACH=${FUZZ_CHECK_SECONDS:-3}
NAMES="csv idx model lesson line"
n=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
fail() { n=$((n + 1)); echo "not ok $n $*"; }
log=$(mktemp)
corpus=$(mktemp -d)
trap 'rm -rf "$log" "$corpus"' EXIT

if ! tests/deps.sh clang libclang-rt-dev >"$log" 2>&1; then
    fail "clang and libclang-rt-dev installed"
    sed 's/^/# /' "$log"
    exit 0
fi

# A make of its own, not a part of the one running `make check`.
unset MAKEFLAGS MFLAGS MAKELEVEL
start=$(date +%s.%N)
if make --no-print-directory -j2 fuzz-build >"$log" 2>&1; then
    ok "the fuzz harnesses build with clang"
else
    fail "the fuzz harnesses build with clang"
    grep -E 'error|undefined' "$log" | head -20 | sed 's/^/# /'
    exit 0
fi
built=$(date +%s.%N)

# libFuzzer stops a second or so after its time: side by side, the five
# take about as long as one.
for name in $NAMES; do
    (BUILD=build-fuzzer FUZZ_NAMES=$name FUZZ_SECONDS=$SECONDS_EACH \
        FUZZ_CORPUS=$corpus tests/fuzz/run.sh >"$corpus/$name.log" 2>&1
     echo $? >"$corpus/$name.rc") &
done
wait
inputs=0
for name in $NAMES; do
    if [ "$(cat "$corpus/$name.rc")" = 0 ]; then
        runs=$(sed -n 's/.*number_of_executed_units: *//p' "$corpus/$name.log")
        inputs=$((inputs + ${runs:-0}))
        ok "fuzz_$name: ${runs:-?} inputs in ${SECONDS_EACH}s without a crash"
    else
        fail "fuzz_$name: a crash or a leak (its input is in build-fuzzer/)"
        tail -30 "$corpus/$name.log" | sed 's/^/# /'
    fi
done
echo "# measured: fuzzing: build $(awk -v a="$start" -v b="$built" \
    'BEGIN { printf "%.1f", b - a }') s, then $inputs inputs in" \
    "$(echo $NAMES | wc -w) harnesses x ${SECONDS_EACH} s side by side"
