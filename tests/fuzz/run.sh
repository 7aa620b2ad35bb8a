#!/usr/bin/env bash
# Run the libFuzzer harnesses built by `make fuzz`, each for $FUZZ_SECONDS,
# on a corpus kept in $FUZZ_CORPUS/NAME (default $BUILD/corpus; started
# from the test fixtures, the lessons and the transcripts, and kept between
# runs).  A crash leaves its input as $BUILD/crash-* and stops with status
# 1.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build-fuzzer}
SECONDS_EACH=${FUZZ_SECONDS:-60}
NAMES=${FUZZ_NAMES:-csv idx model lesson line}
CORPUS=${FUZZ_CORPUS:-$BUILD/corpus}

be32() { printf "\\x$(printf %02x $(($1 >> 24 & 255)))\\x$(printf %02x $(($1 >> 16 & 255)))\\x$(printf %02x $(($1 >> 8 & 255)))\\x$(printf %02x $(($1 & 255)))"; }

# A few valid inputs per harness, written once.
seed() {
    local name=$1 dir=$CORPUS/$1 i=0 f
    mkdir -p "$dir"
    [ -n "$(ls -A "$dir")" ] && return
    case $name in
    csv)   # one byte of options, then the file
        for f in tests/fixtures/*.csv data/iris.csv; do
            { printf '\0'; cat "$f"; } >"$dir/seed$((i++))"
        done ;;
    idx)   # 2-byte length of the image file, the image file, the labels
        { printf '\0\x2c'; be32 2051; be32 3; be32 2; be32 2
          printf '\1\2\3\4\5\6\7\10\11\12\13\14'
          be32 2049; be32 3; printf '\1\2\3'; } >"$dir/seed0" ;;
    model)
        cp tests/transcripts/files/*.model "$dir/" ;;
    lesson)
        cp lessons/*.lesson "$dir/" ;;
    line)
        cat tests/transcripts/*.nn | grep -v '^#' | grep . | sort -u |
            while IFS= read -r l; do
                printf '%s' "$l" >"$dir/seed$((i++))"
            done ;;
    esac
}

status=0
for name in $NAMES; do
    seed "$name"
    echo "fuzz_$name: ${SECONDS_EACH}s"
    if ! "$BUILD/fuzz/fuzz_$name" -max_total_time="$SECONDS_EACH" \
            -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
            -artifact_prefix="$BUILD/" "$CORPUS/$name" \
            >"$BUILD/fuzz_$name.log" 2>&1; then
        tail -40 "$BUILD/fuzz_$name.log"
        status=1
    fi
    grep -E '^stat::(number_of_executed_units|peak_rss)' \
        "$BUILD/fuzz_$name.log" | sed 's/^/  /'
done
exit $status
