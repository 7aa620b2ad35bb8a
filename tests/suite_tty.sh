#!/usr/bin/env bash
# Interactive terminal tests: nnlab in a real terminal (tmux), driven key
# by key as a person would (see tests/tty_lib.sh), plus the start-up time.
#
# Each test starts its own nnlab with a private XDG_STATE_HOME (so the
# history is the test's own) and checks what is on the screen.  Prints TAP
# lines "ok N name" / "not ok N name".
set -u
cd "$(dirname "$0")/.." || exit 1
NNLAB=${NNLAB:-$PWD/build/nnlab}
# shellcheck source=tests/tty_lib.sh
. tests/tty_lib.sh

STATE=$(mktemp -d)
trap 'tty_cleanup; rm -rf "$STATE"' EXIT
# Sanitizer reports (with make asan) go to files, checked at the end.
TTY_ENV=(XDG_STATE_HOME="$STATE" NO_COLOR=1 LC_ALL=C.UTF-8
         ASAN_OPTIONS="log_path=$STATE/sanitizer"
         UBSAN_OPTIONS="log_path=$STATE/sanitizer")
if [ -n "${NNLAB_ASAN:-}" ]; then
    TTY_TIMEOUT=30
    LIMIT_MS=1000 # sanitizers slow start-up down; the real check is below
else
    LIMIT_MS=100
fi

n=0 failed=0
result() { # NAME STATUS
    n=$((n + 1))
    if [ "$2" -eq 0 ]; then
        echo "ok $n $1"
    else
        echo "not ok $n $1"
        failed=$((failed + 1))
    fi
}

if ! command -v tmux >/dev/null; then
    echo "not ok 1 tmux is not installed (make deps-check)"
    exit 1
fi

PROMPT='nnlab> *$'

# ------------------------------------------------------------------
# Start-up time
# ------------------------------------------------------------------

# Median wall time in ms of 21 runs of a command.
median_ms() {
    for _ in $(seq 21); do
        local t0 t1
        t0=$(date +%s%N)
        "$@" >/dev/null 2>&1
        t1=$(date +%s%N)
        echo $(((t1 - t0) / 1000))
    done | sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", a[11] / 1000 }'
}

under_limit() {
    awk -v ms="$1" -v lim="$LIMIT_MS" 'BEGIN { exit !(ms < lim) }'
}

ms=$(median_ms "$NNLAB" -q -c quit)
under_limit "$ms"
result "startup $ms ms (< $LIMIT_MS ms), nnlab -c quit, median of 21" $?
echo "# measured: start-up of nnlab -c quit: $ms ms (median of 21)"

# To the prompt of the interactive shell (readline, history): nnlab gets a
# pseudo-terminal, and the clock stops when "nnlab> " arrives.
prompt_ms() {
    XDG_STATE_HOME="$STATE/startup" python3 - "$NNLAB" <<'PY'
import os, pty, select, sys, time
def once():
    t0 = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(sys.argv[1], [sys.argv[1], "-q"])
    seen = b""
    while b"nnlab> " not in seen:
        if not select.select([fd], [], [], 10)[0]:
            break
        try:
            seen += os.read(fd, 4096)
        except OSError:
            break
    ms = (time.monotonic() - t0) * 1000
    os.write(fd, b"quit\r")
    try:
        while os.read(fd, 4096):
            pass
    except OSError:
        pass
    os.waitpid(pid, 0)
    return ms if b"nnlab> " in seen else 1e9
print("%.1f" % sorted(once() for _ in range(21))[10])
PY
}
if command -v python3 >/dev/null; then
    ms=$(prompt_ms)
    under_limit "$ms"
    result "startup $ms ms (< $LIMIT_MS ms), time to the interactive prompt, median of 21" $?
    echo "# measured: start-up to the interactive prompt: $ms ms (median of 21)"
fi

# ------------------------------------------------------------------
# The prompt
# ------------------------------------------------------------------

test_banner_and_help() {
    tty_start t1 &&
        tty_wait t1 'nnlab 0\.[0-9.]+: a lab' && tty_wait t1 "$PROMPT" &&
        tty_type t1 "help" && tty_keys t1 Enter &&
        tty_wait t1 "Type help CMD for a command's options" &&
        tty_wait t1 "$PROMPT" &&
        tty_type t1 "help optim" && tty_keys t1 Enter &&
        tty_wait t1 'example: optim adam lr=0\.001'
    local rc=$?
    tty_stop t1
    return $rc
}
test_banner_and_help
result "banner, then help and help CMD at the prompt" $?

test_unknown_command() {
    tty_start t2 -q &&
        tty_wait t2 "$PROMPT" &&
        tty_type t2 "tarin 100 epochs" && tty_keys t2 Enter &&
        tty_wait t2 "nnlab: unknown command 'tarin' \(did you mean 'train'\?\)" &&
        tty_wait t2 "$PROMPT"
    local rc=$?
    tty_stop t2
    return $rc
}
test_unknown_command
result "unknown command: one line with did-you-mean, then the prompt" $?

# ------------------------------------------------------------------
# Tab completion
# ------------------------------------------------------------------

test_complete_word() {
    tty_start t3 -q &&
        tty_wait t3 "$PROMPT" &&
        tty_type t3 "optim a" && tty_keys t3 Tab &&
        tty_wait t3 'nnlab> optim adam +$' &&
        tty_keys t3 C-u && tty_type t3 "opt" && tty_keys t3 Tab &&
        tty_wait t3 'nnlab> optim +$' &&
        tty_keys t3 C-u && tty_type t3 "lr 1; hel" && tty_keys t3 Tab &&
        tty_wait t3 'nnlab> lr 1; help +$'
    local rc=$?
    tty_stop t3
    return $rc
}
test_complete_word
result "Tab completes commands (also after ;) and words: optim a -> optim adam" $?

test_complete_keys() {
    tty_start t4 -q &&
        tty_wait t4 "$PROMPT" &&
        tty_type t4 "net 2 8 1 ac" && tty_keys t4 Tab &&
        tty_wait t4 'nnlab> net 2 8 1 act= *$' &&
        tty_type t4 "ta" && tty_keys t4 Tab &&
        tty_wait t4 'nnlab> net 2 8 1 act=tanh +$' &&
        tty_keys t4 C-u && tty_type t4 "plot term sv" && tty_keys t4 Tab &&
        tty_wait t4 'nnlab> plot term svg +$' &&
        tty_keys t4 C-u && tty_type t4 "compare optim=gd,ad" &&
        tty_keys t4 Tab &&
        tty_wait t4 'nnlab> compare optim=gd,adam +$'
    local rc=$?
    tty_stop t4
    return $rc
}
test_complete_keys
result "Tab completes option keys (act=, no space) and their values" $?

# The network's own gradient names, a plot kind after a file, more keys.
test_complete_more() {
    tty_start t13 -q &&
        tty_wait t13 "$PROMPT" &&
        tty_type t13 "data circles; net 2 3 1" && tty_keys t13 Enter &&
        tty_wait t13 'inputs 2, loss bce' &&
        tty_type t13 "gradcheck bug dW" && tty_keys t13 Tab Tab &&
        tty_wait t13 'dW1 +dW2' &&
        tty_type t13 "2" && tty_keys t13 Tab &&
        tty_wait t13 'nnlab> gradcheck bug dW2 +$' &&
        tty_keys t13 C-u && tty_type t13 "plot save x.png bou" &&
        tty_keys t13 Tab &&
        tty_wait t13 'nnlab> plot save x.png boundary +$' &&
        tty_keys t13 C-u && tty_type t13 "compare ke" && tty_keys t13 Tab &&
        tty_wait t13 'nnlab> compare keep= *$'
    tty_done t13 $?
}
test_complete_more
result "Tab completes gradient names (gradcheck bug), plot kinds after save FILE, compare keys" $?

# The words of the settings added with issues 13 and 14.
test_complete_settings() {
    tty_start t14 -q &&
        tty_wait t14 "$PROMPT" &&
        tty_type t14 "clip n" && tty_keys t14 Tab &&
        tty_wait t14 'nnlab> clip norm +$' &&
        tty_keys t14 C-u && tty_type t14 "warmup 10 ep" && tty_keys t14 Tab &&
        tty_wait t14 'nnlab> warmup 10 epochs +$' &&
        tty_keys t14 C-u && tty_type t14 "decay cy" && tty_keys t14 Tab &&
        tty_wait t14 'nnlab> decay cyclic +$' &&
        tty_keys t14 C-u && tty_type t14 "optim rmsprop co" &&
        tty_keys t14 Tab &&
        tty_wait t14 'nnlab> optim rmsprop correct= *$' &&
        tty_keys t14 C-u && tty_type t14 "reg l1 0.1 l" && tty_keys t14 Tab Tab &&
        tty_wait t14 'l1 +l2' &&
        tty_keys t14 C-u && tty_type t14 "net 2 8 1 act=max" &&
        tty_keys t14 Tab &&
        tty_wait t14 'nnlab> net 2 8 1 act=maxout +$' &&
        tty_keys t14 C-u && tty_type t14 "plot weights h" && tty_keys t14 Tab &&
        tty_wait t14 'nnlab> plot weights hist +$'
    tty_done t14 $?
}
test_complete_settings
result "Tab completes clip, warmup units, schedules, rmsprop's keys, reg's second kind, maxout, plot weights hist" $?

# The words of augmentation, preprocessing and ensembles (issue 13's
# second half): word lists from the engine's names.
test_complete_data_methods() {
    tty_start t17 -q &&
        tty_wait t17 "$PROMPT" &&
        tty_type t17 "normalize wh" && tty_keys t17 Tab &&
        tty_wait t17 'nnlab> normalize whiten +$' &&
        tty_keys t17 C-u && tty_type t17 "augment fl" && tty_keys t17 Tab &&
        tty_wait t17 'nnlab> augment flip= *$' &&
        tty_type t17 "v" && tty_keys t17 Tab &&
        tty_wait t17 'nnlab> augment flip=v +$' &&
        tty_keys t17 C-u && tty_type t17 "ensemble ev" && tty_keys t17 Tab &&
        tty_wait t17 'nnlab> ensemble eval +$' &&
        tty_keys t17 C-u && tty_type t17 "train 10 epochs snap" &&
        tty_keys t17 Tab &&
        tty_wait t17 'nnlab> train 10 epochs snapshot= *$' &&
        tty_type t17 "c" && tty_keys t17 Tab &&
        tty_wait t17 'nnlab> train 10 epochs snapshot=cycle +$' &&
        tty_keys t17 C-u && tty_type t17 "plot aug" && tty_keys t17 Tab &&
        tty_wait t17 'nnlab> plot augment +$' &&
        tty_keys t17 C-u && tty_type t17 "data load f.csv ima" &&
        tty_keys t17 Tab &&
        tty_wait t17 'nnlab> data load f.csv image= *$'
    tty_done t17 $?
}
test_complete_data_methods
result "Tab completes normalize's modes, augment's flips, ensemble, snapshot=cycle, plot augment, image=" $?

# The words of the instruments of issue 14: compare init=normal:STD,
# forward train, layer set gamma=, calc xent probs, search units= and a
# range's :log1m.
test_complete_instruments() {
    tty_start tinstr -q &&
        tty_wait tinstr "$PROMPT" &&
        tty_type tinstr "compare init=normal:0" && tty_keys tinstr Tab &&
        tty_wait tinstr 'nnlab> compare init=normal:0.01 +$' &&
        tty_keys tinstr C-u && tty_type tinstr "forward tr" &&
        tty_keys tinstr Tab &&
        tty_wait tinstr 'nnlab> forward train +$' &&
        tty_type tinstr "sh" && tty_keys tinstr Tab &&
        tty_wait tinstr 'nnlab> forward train show= *$' &&
        tty_keys tinstr C-u && tty_type tinstr "layer set 1 gam" &&
        tty_keys tinstr Tab &&
        tty_wait tinstr 'nnlab> layer set 1 gamma= *$' &&
        tty_keys tinstr C-u && tty_type tinstr "calc xent pr" &&
        tty_keys tinstr Tab &&
        tty_wait tinstr 'nnlab> calc xent probs +$' &&
        tty_keys tinstr C-u && tty_type tinstr "search un" &&
        tty_keys tinstr Tab &&
        tty_wait tinstr 'nnlab> search units= *$'
    tty_done tinstr $?
}
test_complete_instruments
result "Tab completes compare init=normal:0.01, forward train show=, layer set gamma=, calc xent probs, search units=" $?

test_complete_files() {
    mkdir -p "$STATE/files/with space"
    : >"$STATE/files/with space/run one.nn"
    tty_start t5 -q &&
        tty_wait t5 "$PROMPT" &&
        tty_type t5 "source $STATE/files/wi" && tty_keys t5 Tab &&
        tty_wait t5 "source \"$STATE/files/with space/ *\$" &&
        tty_keys t5 Tab &&
        tty_wait t5 "source \"$STATE/files/with space/run one.nn\" +\$" &&
        tty_keys t5 C-u && tty_type t5 "lesson " && tty_keys t5 Tab Tab &&
        tty_wait t5 'end'
    local rc=$?
    tty_stop t5
    return $rc
}
test_complete_files
result "Tab completes file names, quoting spaces" $?

# ------------------------------------------------------------------
# Ctrl-C, Ctrl-D, history
# ------------------------------------------------------------------

test_ctrl_c_clears_line() {
    tty_start t6 -q &&
        tty_wait t6 "$PROMPT" &&
        tty_type t6 "tarin_half_typed" && tty_wait t6 'tarin_half_typed *$' &&
        tty_keys t6 C-c &&
        tty_wait t6 'tarin_half_typed\^C' && tty_wait t6 "$PROMPT" &&
        tty_type t6 "help quit" && tty_keys t6 Enter &&
        tty_wait t6 'usage: +quit' &&
        ! tty_screen t6 | grep -q "unknown command"
    local rc=$?
    tty_stop t6
    return $rc
}
test_ctrl_c_clears_line
result "Ctrl-C at the prompt drops the half-typed line" $?

test_history_survives() {
    rm -f "$STATE/nnlab/history"
    tty_start t7 -q &&
        tty_wait t7 "$PROMPT" &&
        tty_type t7 "help seed" && tty_keys t7 Enter &&
        tty_wait t7 'example: seed 42' &&
        tty_keys t7 Enter && tty_type t7 "quit" && tty_keys t7 Enter &&
        tty_wait_gone t7 &&
        grep -qx 'help seed' "$STATE/nnlab/history" &&
        ! grep -qx '' "$STATE/nnlab/history" &&
        tty_start t7 -q && tty_wait t7 "$PROMPT" &&
        tty_keys t7 Up && tty_wait t7 'nnlab> quit *$' &&
        tty_keys t7 Up && tty_wait t7 'nnlab> help seed *$'
    local rc=$?
    tty_stop t7
    return $rc
}
test_history_survives
result "history survives a restart (Up), empty lines are not kept" $?

test_ctrl_d_leaves() {
    tty_start t8 -q &&
        tty_wait t8 "$PROMPT" &&
        tty_type t8 "help lr" && tty_keys t8 Enter &&
        tty_wait t8 'example: lr' &&
        tty_keys t8 C-d && tty_wait_gone t8 &&
        grep -qx 'help lr' "$STATE/nnlab/history"
    local rc=$?
    tty_stop t8
    return $rc
}
test_ctrl_d_leaves
result "Ctrl-D leaves and saves the history" $?

# ------------------------------------------------------------------
# Training in the background
# ------------------------------------------------------------------

# The progress line changes (so output really happened above the prompt).
progress_moves() {
    local before
    before=$(tty_screen "$1" | grep -E '\] +[0-9]+%')
    tty_wait "$1" '\] +[0-9]+%' &&
        for _ in $(seq 250); do
            [ "$(tty_screen "$1" | grep -E '\] +[0-9]+%')" != "$before" ] &&
                return 0
            sleep 0.02
        done
    return 1
}

test_live_training() {
    tty_start t9 -q &&
        tty_wait t9 "$PROMPT" &&
        tty_type t9 "data moons; net 2 16 1; train 100000000 iters" &&
        tty_keys t9 Enter &&
        tty_wait t9 '\] +[0-9]+%' &&
        tty_type t9 "help se" &&
        tty_wait_last t9 '^nnlab> help se *$' &&
        progress_moves t9 &&
        tty_wait_last t9 '^nnlab> help se *$' &&
        tty_type t9 "ed" && tty_keys t9 Enter &&
        tty_wait t9 'example: seed 42' &&
        tty_type t9 "train 5 iters" && tty_keys t9 Enter &&
        tty_wait t9 'train: training is already running; type pause first' &&
        tty_keys t9 C-c &&
        tty_wait t9 'interrupted at iteration' &&
        tty_wait t9 "$PROMPT" &&
        tty_type t9 "quit" && tty_keys t9 Enter && tty_wait_gone t9
    local rc=$?
    tty_stop t9
    return $rc
}
test_live_training
result "training runs under a live prompt; typing is not garbled; Ctrl-C pauses" $?

# lr typed during run reaches the next progress line; Ctrl-C pauses and
# eval then sees the trained network, not a reset one.
test_run_lr_then_ctrl_c() {
    tty_start t10 -q &&
        tty_wait t10 "$PROMPT" &&
        tty_type t10 "data circles seed=3; net 2 16 8 1; optim adam lr=0.01; batch 16" &&
        tty_keys t10 Enter &&
        tty_type t10 "run" && tty_keys t10 Enter &&
        tty_wait t10 'running: iter [0-9]+ .* lr 0\.01 ' &&
        tty_type t10 "lr 0.001" && tty_keys t10 Enter &&
        tty_wait t10 'running: iter [0-9]+ .* lr 0\.001 ' &&
        sleep 0.5 &&
        tty_keys t10 C-c &&
        tty_wait t10 'interrupted at iteration' &&
        tty_type t10 "eval; check iter > 100; check train_acc > 0.9" &&
        tty_keys t10 Enter &&
        tty_wait t10 'check passed: train_acc > 0\.9' &&
        tty_type t10 "quit" && tty_keys t10 Enter && tty_wait_gone t10
    tty_done t10 $?
}
test_run_lr_then_ctrl_c
result "lr typed during run shows in the next progress line; Ctrl-C then eval sees the trained model" $?

# run speed=N keeps to N updates a second (Tab completes speed=), speed
# typed during the run changes the pace at once, and a text-terminal live
# plot is redrawn while it runs (one frame a second), not only at the end.
test_run_speed_dumb_live() {
    local frames
    tty_start tsp -q &&
        tty_wait tsp "$PROMPT" &&
        tty_type tsp "plot term dumb; data moons; net 2 8 1; train 1 iters; plot loss" &&
        tty_keys tsp Enter && tty_wait tsp "$PROMPT" &&
        tty_type tsp "run sp" && tty_keys tsp Tab &&
        tty_wait tsp 'nnlab> run speed= *$' &&
        tty_type tsp "10" && tty_keys tsp Enter &&
        tty_wait tsp 'running: iter [0-9]+ .* 1[01] it/s \(speed\)' &&
        tty_type tsp "speed 4" && tty_keys tsp Enter &&
        tty_wait tsp 'running: iter [0-9]+ .* [345] it/s \(speed\)' &&
        sleep 2 &&
        tty_tmux capture-pane -p -S - -t tsp |
            grep -q 'speed 4: train and run make at most 4 updates a second (from now)' &&
        frames=$(tty_tmux capture-pane -p -S - -t tsp | grep -c '^ *Loss *$') &&
        echo "# text-terminal loss frames drawn by then: $frames (1 before the run)" &&
        [ "$frames" -ge 4 ] &&
        tty_type tsp "pause" && tty_keys tsp Enter &&
        tty_wait tsp 'paused at iteration'
    tty_done tsp $?
}
test_run_speed_dumb_live
result "run speed=10 and speed 4 typed during it keep their pace; plot term dumb redraws during the run" $?

# dropout and pause typed during run: applied between two updates.
test_run_dropout_pause() {
    tty_start t11 -q &&
        tty_wait t11 "$PROMPT" &&
        tty_type t11 "data circles; net 2 16 8 1; optim adam lr=0.01; run" &&
        tty_keys t11 Enter &&
        tty_wait t11 'running: iter [0-9]+ ' &&
        tty_type t11 "dropout 0.8" && tty_keys t11 Enter &&
        tty_wait t11 'dropout: layer 1 keep 0\.8, layer 2 keep 0\.8' &&
        tty_wait t11 'running: iter [0-9]+ ' &&
        tty_type t11 "pause" && tty_keys t11 Enter &&
        tty_wait t11 'paused at iteration [0-9]+' &&
        tty_type t11 "check iter > 0; dropout" && tty_keys t11 Enter &&
        tty_wait t11 'check passed: iter > 0' &&
        tty_type t11 "quit" && tty_keys t11 Enter && tty_wait_gone t11
    tty_done t11 $?
}
test_run_dropout_pause
result "dropout and pause typed during run take effect" $?

# A lesson puts its command on the prompt; Enter runs it; a lesson word
# typed straight after a command still on the prompt means the word.
test_lesson_prompt() {
    tty_start t12 -q &&
        tty_wait t12 "$PROMPT" &&
        tty_type t12 "lesson tour" && tty_keys t12 Enter &&
        tty_wait t12 '\[tour 1/[0-9]+\] nnlab> data circles n=300 noise=0\.1 seed=1 *$' &&
        tty_keys t12 Enter &&
        tty_wait t12 'circles: 210 train' &&
        tty_wait t12 '\[tour 1/[0-9]+\] nnlab> data *$' &&
        tty_type t12 "next" && tty_keys t12 Enter &&
        tty_wait t12 '== 2/[0-9]+ A network' &&
        tty_wait t12 '\[tour 2/[0-9]+\] nnlab> net 2 10 5 1 act=relu *$' &&
        ! tty_screen t12 | grep -q "unknown command" &&
        tty_keys t12 C-u && tty_type t12 "lesson end" && tty_keys t12 Enter &&
        tty_type t12 "quit" && tty_keys t12 Enter && tty_wait_gone t12
    tty_done t12 $?
}
test_lesson_prompt
result "a lesson's command waits on the prompt; next typed after it moves on" $?

# A lesson started by -c before the terminal takes over (-i) still gets
# its prompt and its command on it.
test_lesson_from_c() {
    tty_start t20 -q -c 'lesson tour 2' -i &&
        tty_wait t20 '\[tour 2/[0-9]+\] nnlab> net 2 10 5 1 act=relu *$' &&
        tty_keys t20 C-u && tty_type t20 "lesson end" && tty_keys t20 Enter &&
        tty_type t20 "quit" && tty_keys t20 Enter && tty_wait_gone t20
    tty_done t20 $?
}
test_lesson_from_c
result "a lesson started by -c 'lesson NAME' -i puts its command on the prompt" $?

# A question waits for its answer: free text typed at the prompt is the
# answer (wrong, then right after `again`); a different command typed
# over the offered one replaces it; `lesson end` brings back the seed and
# the data set before the lesson.
mkdir -p "$STATE/lessons"
cat >"$STATE/lessons/quiz.lesson" <<'EOL'
title: Quiz
summary: a question and a command
== One
? Which initialization suits ReLU?
choice: Xavier
choice: He
answer: b | He scales by 2/fan_in, for ReLU's half-zero outputs.
> train 5000 iters
EOL
test_lesson_answers() {
    local saved=("${TTY_ENV[@]}") rc
    TTY_ENV+=(NNLAB_LESSONS="$STATE/lessons")
    tty_start t16 -q &&
        tty_wait t16 "$PROMPT" &&
        tty_type t16 "data moons n=100; seed 42" && tty_keys t16 Enter &&
        tty_wait t16 'seed 42: used by' &&
        tty_type t16 "lesson quiz" && tty_keys t16 Enter &&
        tty_wait t16 'type your choice, a to b' &&
        tty_type t16 "a" && tty_keys t16 Enter &&
        tty_wait t16 'not quite; the answer is b\) He' &&
        tty_wait t16 'He scales by 2/fan_in' &&
        tty_wait t16 '\[quiz 1/1\] nnlab> train 5000 iters *$' &&
        tty_type t16 "stats grads" && tty_keys t16 Enter &&
        tty_wait t16 'stats: no network yet' &&
        ! tty_screen t16 | grep -q '5000stats' &&
        tty_keys t16 C-u && tty_type t16 "again" && tty_keys t16 Enter &&
        tty_wait t16 'Which initialization' &&
        tty_type t16 "b)" && tty_keys t16 Enter &&
        tty_wait t16 'right: b\) He' &&
        tty_keys t16 C-u && tty_type t16 "lesson end" && tty_keys t16 Enter &&
        tty_wait t16 'Your work from before the lesson is back \(data moons\)' &&
        tty_type t16 "seed" && tty_keys t16 Enter &&
        tty_wait_last t16 "$PROMPT" &&
        tty_screen t16 | grep -q '^seed 42$' &&
        tty_type t16 "quit" && tty_keys t16 Enter && tty_wait_gone t16
    rc=$?
    tty_done t16 $rc
    rc=$?
    TTY_ENV=("${saved[@]}")
    return $rc
}
test_lesson_answers
result "a question answered wrong then right; a command typed over the offered one; lesson end restores" $?

# Colour on a terminal (a passed check in green), none with NO_COLOR.
colour_codes() { # NAME: the screen with its escape sequences
    tty_tmux capture-pane -p -e -t "$1" 2>/dev/null
}
test_colour() {
    local saved=("${TTY_ENV[@]}") rc
    # run.sh exports NO_COLOR=1 to every suite: take it out for this one
    TTY_ENV=(-u NO_COLOR XDG_STATE_HOME="$STATE" LC_ALL=C.UTF-8
             ASAN_OPTIONS="log_path=$STATE/sanitizer"
             UBSAN_OPTIONS="log_path=$STATE/sanitizer")
    tty_start t14 -q &&
        tty_wait t14 "$PROMPT" &&
        tty_type t14 "check iter >= 0" && tty_keys t14 Enter &&
        tty_wait t14 'check passed: iter >= 0' &&
        colour_codes t14 | grep -q $'\e\\[32m'
    rc=$?
    [ $rc -ne 0 ] && colour_codes t14 | cat -v | sed 's/^/#   /'
    tty_stop t14
    TTY_ENV=("${saved[@]}")
    [ $rc -eq 0 ] || return $rc
    tty_start t15 -q &&
        tty_wait t15 "$PROMPT" &&
        tty_type t15 "check iter >= 0" && tty_keys t15 Enter &&
        tty_wait t15 'check passed: iter >= 0' &&
        ! colour_codes t15 | grep -q $'\e\\[32m'
    rc=$?
    [ $rc -ne 0 ] && colour_codes t15 | cat -v | sed 's/^/#   /'
    tty_stop t15
    return $rc
}
test_colour
result "colour on a terminal, none with NO_COLOR" $?

tty_cleanup
sleep 0.1
reports=$(cat "$STATE"/sanitizer.* 2>/dev/null)
[ -z "$reports" ]
result "no sanitizer reports from the terminal sessions" $?
[ -n "$reports" ] && printf '%s\n' "$reports" | head -30 | sed 's/^/#   /'

echo "1..$n"
[ "$failed" -eq 0 ]
