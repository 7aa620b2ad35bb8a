# tty_lib.sh — drive nnlab in a real terminal, as a person would, with tmux.
#
# Source it, then:
#   tty_start NAME [ARGS...]    start $NNLAB ARGS in a fresh 100x30 tmux
#                               session NAME (cwd: the repository)
#   tty_type NAME TEXT          type TEXT literally (no Enter)
#   tty_keys NAME KEY...        press keys: Enter Tab C-c C-d Up BSpace ...
#   tty_wait NAME REGEX [SECS]  wait until the screen matches REGEX
#                               (grep -E); 1 on timeout, with the screen
#                               shown as TAP comments
#   tty_wait_last NAME REGEX [SECS]  the same, for the last non-empty line
#   tty_wait_gone NAME [SECS]   wait until nnlab has exited
#   tty_screen NAME             print the screen (trailing spaces kept)
#   tty_last_line NAME          print the last non-empty line of the screen
#   tty_stop NAME               end the session (nnlab is killed)
#
# Every wait polls the screen every 20 ms up to a timeout (default
# $TTY_TIMEOUT, 10 s), so tests are as fast as nnlab and never sleep for
# fixed long times.  A private tmux server (socket nnlab-tty-PID, no config
# file) keeps the tests away from the user's own tmux; tty_cleanup (run at
# exit) kills it.  nnlab runs with the environment given in TTY_ENV (an
# array of NAME=value), e.g. XDG_STATE_HOME for a private history.

TTY_SOCKET="nnlab-tty-$$"
TTY_TIMEOUT=${TTY_TIMEOUT:-10}
TTY_ROOT=${TTY_ROOT:-$PWD}
TTY_ENV=(${TTY_ENV[@]+"${TTY_ENV[@]}"})

tty_tmux() {
    tmux -L "$TTY_SOCKET" -f /dev/null "$@"
}

tty_cleanup() {
    tty_tmux kill-server >/dev/null 2>&1
}

tty_start() {
    local name=$1
    shift
    local cmd
    cmd=$(printf '%q ' env "${TTY_ENV[@]}" TERM=screen "$NNLAB" "$@")
    tty_tmux new-session -d -s "$name" -x 100 -y 30 -c "$TTY_ROOT" "$cmd"
}

tty_type() {
    tty_tmux send-keys -t "$1" -l -- "$2"
}

tty_keys() {
    local name=$1
    shift
    tty_tmux send-keys -t "$name" "$@"
}

tty_screen() {
    tty_tmux capture-pane -p -N -t "$1" 2>/dev/null
}

tty_last_line() {
    tty_screen "$1" | awk '/[^ ]/ { line = $0 } END { print line }'
}

# Seconds since the epoch, with fractions.
tty_now() {
    date +%s.%N
}

tty_elapsed() {
    awk -v a="$1" -v b="$(tty_now)" -v c="$2" 'BEGIN { exit !(b - a < c) }'
}

tty_wait() {
    local name=$1 regex=$2 secs=${3:-$TTY_TIMEOUT}
    local start
    start=$(tty_now)
    while tty_elapsed "$start" "$secs"; do
        if tty_screen "$name" | grep -Eq -- "$regex"; then
            return 0
        fi
        sleep 0.02
    done
    echo "# timed out after ${secs}s waiting for: $regex"
    tty_screen "$name" | sed 's/^/#   |/'
    return 1
}

tty_wait_last() {
    local name=$1 regex=$2 secs=${3:-$TTY_TIMEOUT}
    local start
    start=$(tty_now)
    while tty_elapsed "$start" "$secs"; do
        if tty_last_line "$name" | grep -Eq -- "$regex"; then
            return 0
        fi
        sleep 0.02
    done
    echo "# timed out after ${secs}s waiting for the last line: $regex"
    tty_screen "$name" | sed 's/^/#   |/'
    return 1
}

tty_wait_gone() {
    local name=$1 secs=${2:-$TTY_TIMEOUT}
    local start
    start=$(tty_now)
    while tty_elapsed "$start" "$secs"; do
        tty_tmux has-session -t "$name" 2>/dev/null || return 0
        sleep 0.02
    done
    echo "# timed out after ${secs}s waiting for nnlab to exit"
    return 1
}

tty_stop() {
    tty_tmux kill-session -t "$1" >/dev/null 2>&1
}

# tty_done NAME RC: the end of a test: the screen (as TAP comments) when
# RC says it failed, then the session stopped; returns RC.
tty_done() {
    [ "$2" -ne 0 ] && tty_screen "$1" | sed 's/^/#   /'
    tty_stop "$1"
    return "$2"
}
