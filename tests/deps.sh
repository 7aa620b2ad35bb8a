#!/bin/sh
# Install the Debian packages named as arguments that are not installed yet,
# saying which.  An argument "a|b|c" is satisfied by any one of a, b, c
# (installing a when none is): gnuplot comes as gnuplot-nox, gnuplot-qt or
# gnuplot-x11, which conflict, and whichever the user has must stay.
# Runs apt-get as root, or through sudo when there is one.
installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"
}
missing=""
for want in "$@"; do
    first=${want%%|*}
    found=""
    for p in $(echo "$want" | tr '|' ' '); do
        installed "$p" && found=1 && break
    done
    [ -n "$found" ] || missing="$missing $first"
done
[ -z "$missing" ] && exit 0
echo "nnlab: installing Debian packages:$missing"
as_root=""
[ "$(id -u)" -eq 0 ] || as_root="sudo"
export DEBIAN_FRONTEND=noninteractive
$as_root apt-get update -qq &&
    $as_root apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
    { echo "nnlab: could not install:$missing" >&2; exit 1; }
