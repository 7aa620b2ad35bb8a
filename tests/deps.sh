#!/bin/sh
# Install the Debian packages named as arguments that are not installed yet,
# saying which.  Runs apt-get as root, or through sudo when there is one.
missing=""
for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "nnlab: installing Debian packages:$missing"
as_root=""
[ "$(id -u)" -eq 0 ] || as_root="sudo"
export DEBIAN_FRONTEND=noninteractive
$as_root apt-get update -qq &&
    $as_root apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
    { echo "nnlab: could not install:$missing" >&2; exit 1; }
