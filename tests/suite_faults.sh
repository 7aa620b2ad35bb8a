#!/usr/bin/env bash
# Faults around nnlab: what its files replace, what it reads, where its
# output goes and how busy the machine is.  Each case checks that nothing
# was lost (the old file whole, a link still a link, a device still a
# device) and that the message says why in one line, with a non-zero
# status in a script:
#   - save over a symbolic link, a read-only file, a file with its own
#     mode, a FIFO (with and without a reader), /dev/null and /dev/full
#     (as root and as nobody), a directory;
#   - a full disk (a small tmpfs, else a file size limit) under save,
#     history csv and plot save: the old files are kept;
#   - standard output closed or full: the script stops with a message, and
#     what it would have printed never lands in a file it saves;
#   - /dev/zero as standard input, a script, a model and data, and a NUL
#     byte inside a script line, each under a timeout;
#   - ulimit -v 200000 and 300000: OpenBLAS's first product does not hang;
#   - Ctrl-C during source, gradcheck and forward (Fashion-MNIST);
#   - plot save while a busy loop runs on every core: the file comes;
#   - plot term png where files cannot be written (as nobody): one line, no
#     picture bytes on the output, status 1;
#   - a history that cannot be kept is said once, at the start (tmux).
# Cases that need root, another user, a mount or a data set skip with a
# TAP "# SKIP" and the reason.  Prints TAP lines.
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
NNLAB=${NNLAB:-$PWD/build/nnlab}
export LC_ALL=C NO_COLOR=1
TMP=$(mktemp -d)
LOOPS=()
MOUNTED=""
cleanup() {
    [ ${#LOOPS[@]} -gt 0 ] && kill "${LOOPS[@]}" 2>/dev/null
    [ -n "$MOUNTED" ] && umount "$MOUNTED" 2>/dev/null
    chmod -R u+w "$TMP" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
export XDG_STATE_HOME=$TMP/state
cd "$TMP" || exit 1
VLIMIT=2000000
[ -n "${NNLAB_ASAN:-}" ] && VLIMIT=unlimited

n=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
bad() { n=$((n + 1)); echo "not ok $n $*"; }
skip() { n=$((n + 1)); echo "ok $n $1 # SKIP $2"; }
check() { # NAME CONDITION-STATUS [OUTPUT-FILE]
    if [ "$2" -eq 0 ]; then
        ok "$1"
    else
        bad "$1"
        [ -n "${3:-}" ] && sed 's/^/#   /' "$3" | head -15
    fi
}
nn() { "$NNLAB" -q "$@"; }
MODEL='data moons n=200 seed=1; net 2 16 1'

# As the nobody user, when root can become it and it can run nnlab.
NOBODY=""
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null &&
   id nobody >/dev/null 2>&1 &&
   setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
       "$NNLAB" --version >/dev/null 2>&1; then
    NOBODY="setpriv --reuid=nobody --regid=$(id -g nobody) --clear-groups"
fi

# ------------------------------------------------------------------
# save: links, modes, read-only files, devices, FIFOs, directories
# ------------------------------------------------------------------

nn -c "$MODEL; save target.model" >/dev/null
ln -s target.model link.model
nn -c "data moons n=200 seed=1; net 2 7 1; save link.model" >out 2>&1
[ -L link.model ] && grep -q '^layer 7 ' target.model &&
    nn -c 'load link.model' >>out 2>&1
check "save over a symbolic link: its target replaced, the link kept" $? out

cp target.model mode.model && chmod 640 mode.model
nn -c "$MODEL; save mode.model" >out 2>&1
[ "$(stat -c %a mode.model)" = 640 ]
check "save keeps the mode of the file it replaces (640)" $? out

cp target.model ro.model && chmod 444 ro.model && sum=$(cksum <ro.model)
nn -c "$MODEL; save ro.model" >out 2>&1
rc=$?
[ $rc = 1 ] && [ "$(cksum <ro.model)" = "$sum" ] &&
    grep -qx 'save: ro.model is read-only: not replaced (chmod u+w ro.model allows it)' out
check "save refuses a read-only file (even as root), which stays whole" $? out

mkfifo fifo
start=$(date +%s)
timeout 10 "$NNLAB" -q -c "$MODEL; save fifo" >out 2>&1
rc=$?
[ $rc = 1 ] && [ -p fifo ] && [ $(($(date +%s) - start)) -lt 5 ] &&
    grep -qx 'save: fifo is a FIFO and nothing is reading it' out
check "save to a FIFO nobody reads: refused at once, still a FIFO" $? out
(timeout 10 cat fifo >from_fifo) &
reader=$!
for _ in $(seq 100); do
    nn -c "$MODEL; save fifo" >out 2>&1 && break
    sleep 0.05
done
wait $reader
[ -p fifo ] && head -1 from_fifo | grep -q '^nnlab-model '
check "save to a FIFO with a reader: the model goes through it" $? out

if [ "$(id -u)" = 0 ]; then
    nn -c "$MODEL; save /dev/null" >out 2>&1
    [ -c /dev/null ] && [ "$(stat -c %t,%T /dev/null)" = 1,3 ]
    check "save /dev/null as root: written, still the device" $? out
else
    skip "save /dev/null as root" "not root"
fi
nn -c "$MODEL; save /dev/full" >out 2>&1
rc=$?
[ $rc = 1 ] && grep -q 'save: could not write /dev/full: No space left on device' out
check "save /dev/full: the real cause, status 1" $? out
if [ -n "$NOBODY" ]; then
    $NOBODY "$NNLAB" -q -c "$MODEL; save /dev/full" >out 2>&1
    rc=$?
    [ $rc = 1 ] && grep -q 'No space left on device' out &&
        ! grep -q 'Permission denied' out
    check "save /dev/full as nobody: No space left, not Permission denied" $? out
else
    skip "save /dev/full as nobody" "needs root and setpriv"
fi
nn -c "$MODEL; save $TMP" >out 2>&1
[ $? = 1 ] && grep -qx "save: $TMP is a directory: not replaced" out
check "save to a directory: refused" $? out

# ------------------------------------------------------------------
# A full disk: the old files are kept
# ------------------------------------------------------------------

nn -c "$MODEL; train 3 epochs; plot save old.png loss; history csv old.csv; save old.model" >/dev/null 2>&1
mkdir full
if mount -t tmpfs -o size=64k tmpfs full 2>/dev/null; then
    MOUNTED=$TMP/full
    cp old.model old.png old.csv full/ 2>/dev/null
    before=$(cat full/old.model full/old.png full/old.csv | cksum)
    head -c 1M /dev/zero >full/filler 2>/dev/null
    nn -k -c "data moons n=200 seed=1; net 2 64 64 1; train 3 epochs; save full/old.model; history csv full/old.csv; plot save full/old.png loss" >out 2>&1
    rc=$?
    after=$(cat full/old.model full/old.png full/old.csv | cksum)
    [ $rc = 1 ] && [ "$before" = "$after" ] &&
        [ "$(ls -A full | grep -c '^\.')" = 0 ] &&
        grep -q 'save: could not write full/old.model: No space left on device; the old file is kept' out &&
        grep -q 'history: could not write full/old.csv: No space left on device; the old file is kept' out &&
        grep -q 'plot: .*full/old.png.*the old file is kept' out
    check "a full tmpfs: save, history csv and plot save keep the old files, say why" $? out
    umount full && MOUNTED=""
else
    skip "a full tmpfs" "cannot mount a tmpfs here"
fi
# the same with a file size limit (no mount needed): a write fails half-way
cp old.model lim.model && cp old.csv lim.csv && cp old.png lim.png
before=$(cat lim.model lim.csv lim.png | cksum)
(ulimit -f 2; nn -k -c "data moons n=200 seed=1; net 2 64 64 1; train 3 epochs; save lim.model; history csv lim.csv; plot save lim.png boundary") >out 2>&1
rc=$?
[ $rc = 1 ] && [ "$before" = "$(cat lim.model lim.csv lim.png | cksum)" ] &&
    [ "$(grep -c 'the old file is kept' out)" = 3 ] && nn -c 'load lim.model' >/dev/null
check "a write cut short (ulimit -f 2): model, CSV and PNG kept whole" $? out

# ------------------------------------------------------------------
# Output that cannot be written
# ------------------------------------------------------------------

# the CSV is written before anything is printed: the message meant for
# the closed output must not land in it (the descriptor stays taken)
nn -c "history csv closed.csv; help; seed 3" >&- 2>err
rc=$?
[ $rc = 1 ] && [ "$(wc -l <err)" = 1 ] &&
    grep -qx 'nnlab: cannot write the output (Bad file descriptor); stopping' err &&
    [ "$(cat closed.csv)" = iter,epoch,loss,lr,train_loss,train_acc,dev_loss,dev_acc ]
check "standard output closed: status 1, one message, the file it wrote clean" $? err
printf 'help\nhelp seed\nseed 3\n' >three.nn
nn three.nn >/dev/full 2>err
rc=$?
[ $rc = 1 ] && [ "$(wc -l <err)" = 1 ] &&
    grep -qx 'nnlab: cannot write the output (No space left on device); stopping' err
check "standard output full (/dev/full): status 1, one message" $? err
nn --help >/dev/full 2>err
[ $? = 1 ] && grep -q 'No space left on device' err
check "--help into /dev/full: status 1" $? err

# ------------------------------------------------------------------
# Endless inputs, NUL bytes
# ------------------------------------------------------------------

zero() { # NAME EXPECTED-MESSAGE COMMAND...
    local name=$1 want=$2
    shift 2
    local start=$(date +%s)
    # (the sanitizers reserve terabytes of address space: no limit there)
    (ulimit -v ${VLIMIT:-2000000}; timeout 20 "$@") >out 2>&1
    local rc=$?
    [ $rc = 1 ] && [ $(($(date +%s) - start)) -lt 10 ] && grep -qF -- "$want" out
    check "$name" $? out
}
zero "nnlab < /dev/zero: refused at 64 KiB, status 1" \
    'nnlab: standard input:1: a line longer than 65536 bytes (not a script?); stopped reading it' \
    sh -c "exec '$NNLAB' -q </dev/zero"
zero "source /dev/zero: refused at 64 KiB" \
    'source: /dev/zero:1: a line longer than 65536 bytes' "$NNLAB" -q -c 'source /dev/zero'
zero "load /dev/zero: refused at its first byte" \
    'load: /dev/zero:1: NUL byte: this is not a text file' "$NNLAB" -q -c 'load /dev/zero'
zero "data load /dev/zero: refused at its first byte" \
    '/dev/zero:1: NUL byte' "$NNLAB" -q -c 'data load /dev/zero'
printf 'seed 5\nse\0ed 7\nseed\n' >nul.nn
nn nul.nn >out 2>&1
[ $? = 1 ] && grep -qx 'nnlab: nul.nn:2: a NUL byte at column 3 (not a text file?); the line was not run' out &&
    ! grep -q 'seed 7' out
check "a NUL byte in a script line: said with file, line and column" $? out

# ------------------------------------------------------------------
# A limit on the address space: OpenBLAS must not hang
# ------------------------------------------------------------------

for kb in 200000 300000; do
    if [ -n "${NNLAB_ASAN:-}" ]; then
        skip "ulimit -v $kb" "the sanitizers need more address space"
        continue
    fi
    (ulimit -v $kb; timeout 30 "$NNLAB" -q -c 'data moons; net 2 32 1; train 5 epochs; eval') >out 2>&1
    rc=$?
    [ $rc = 0 ] && grep -q 'done after 20 updates' out
    check "ulimit -v $kb: training runs, no hang (exit $rc)" $? out
done

# ------------------------------------------------------------------
# Ctrl-C
# ------------------------------------------------------------------

# interrupt NAME WHEN-REGEX WANT-REGEX COMMANDS: send SIGINT once the
# output matches WHEN-REGEX; nnlab must stop within 3 s, status 130,
# saying WANT-REGEX.
interrupt() {
    local name=$1 when=$2 want=$3 cmds=$4
    "$NNLAB" -q -c "$cmds" >out 2>&1 &
    local pid=$! t
    for _ in $(seq 1500); do
        grep -qE -- "$when" out && break
        kill -0 $pid 2>/dev/null || break
        sleep 0.02
    done
    sleep 0.3
    t=$(date +%s.%N)
    kill -INT $pid 2>/dev/null
    wait $pid
    local rc=$?
    local took=$(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    if [ $rc = 130 ] && awk -v t="$took" 'BEGIN { exit !(t < 3) }' &&
       grep -qE -- "$want" out; then
        ok "Ctrl-C during $name: stopped in $took s, status 130"
    else
        bad "Ctrl-C during $name (status $rc after $took s)"
        sed 's/^/#   /' out | tail -5
    fi
}
printf 'data moons\nnet 2 4 1\ntrain 1000000 epochs\n' >long.nn
interrupt "source" '^moons' 'interrupted at iteration' 'source long.nn'
interrupt "gradcheck on a large net" '1200 x 1200' 'gradient check interrupted after' \
    'threads 1; data digits; net 64 1200 1200 10; gradcheck'
if [ -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
    interrupt "forward on Fashion-MNIST" '2048 x 2048' 'forward: interrupted after [0-9]+ of [0-9]+ examples' \
        'threads 1; data fashion limit=3000; net 784 2048 2048 10; forward n=3000'
else
    skip "Ctrl-C during forward on Fashion-MNIST" "dataset-fashion-mnist not installed"
fi

# ------------------------------------------------------------------
# Plots
# ------------------------------------------------------------------

if command -v gnuplot >/dev/null; then
    for _ in $(seq "$(nproc)"); do
        (while :; do :; done) &
        LOOPS+=($!)
    done
    start=$(date +%s.%N)
    nn -c "$MODEL; train 10 epochs; plot save busy.png boundary" >out 2>&1
    rc=$?
    took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    kill "${LOOPS[@]}" 2>/dev/null
    LOOPS=()
    [ $rc = 0 ] && grep -q 'plot: saved boundary to busy.png' out &&
        [ "$(head -c 8 busy.png | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] &&
        [ "$(tail -c 8 busy.png | head -c 4)" = IEND ]
    check "plot save with a busy loop on each core: a whole PNG in $took s" $? out
    if [ -n "$NOBODY" ]; then
        mkdir locked && chmod 555 locked
        (cd locked && $NOBODY "$NNLAB" -q -c "$MODEL; train 2 epochs; plot term png; plot loss") >out 2>&1
        rc=$?
        [ $rc = 1 ] && ! LC_ALL=C grep -q '[^[:print:][:space:]]' out &&
            [ "$(grep -c '^plot' out)" = 1 ] &&
            grep -qx 'plot: live plots cannot be written in the current directory (Permission denied): cd to a directory you can write, or use plot save FILE' out
        check "plot term png where nobody may write: one line, no binary, status 1" $? out
    else
        skip "plot term png in an unwritable directory" "needs root and setpriv (root may write anywhere)"
    fi
else
    skip "plot save on a busy machine" "gnuplot not installed"
    skip "plot term png in an unwritable directory" "gnuplot not installed"
fi

# ------------------------------------------------------------------
# A history that cannot be kept (interactive, tmux)
# ------------------------------------------------------------------

if command -v tmux >/dev/null; then
    # a state "directory" that is a file: no history can be kept, root or not
    touch notadir
    TTY_ROOT=$TMP
    TTY_ENV=(XDG_STATE_HOME="$TMP/notadir" NO_COLOR=1 LC_ALL=C.UTF-8)
    . "$ROOT/tests/tty_lib.sh"
    trap 'tty_cleanup; cleanup' EXIT
    tty_start hist
    tty_wait hist 'nnlab>' && tty_type hist 'help seed' &&
        tty_keys hist Enter && tty_wait hist 'example: seed'
    screen=$(tty_screen hist)
    tty_type hist quit && tty_keys hist Enter && tty_wait_gone hist 5
    tty_stop hist
    said=$(printf '%s\n' "$screen" | grep -c 'history will not be kept')
    [ "$said" = 1 ] && printf '%s\n' "$screen" | tr -d '\n' |
        grep -q "cannot write $TMP/notadir/nnlab (Not a d *irectory)"
    if [ $? = 0 ]; then
        ok "a history that cannot be kept: said once, at the start"
    else
        bad "a history that cannot be kept ($said times)"
        printf '%s\n' "$screen" | sed 's/^/#   /' | head -10
    fi
else
    skip "history that cannot be kept" "tmux not installed"
fi

echo "1..$n"
