#!/usr/bin/env bash
# The layers of repl/: no folder calls one above it or beside it, no call
# cycle inside a folder, readline only in term/ (tests/layers.py, reading
# the objects' symbols with nm).  Prints TAP lines.
cd "$(dirname "$0")/.." || exit 1
exec python3 tests/layers.py "${BUILD:-build}"
