#!/usr/bin/env bash
# Lab 01: a new mount namespace starts as a copy of the one it came from.
set -euo pipefail
# shellcheck source=scripts/labs/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lab_begin "01 a new mount namespace starts as a copy" \
    "unshare -m copies the caller's mount table: every host mount is still there inside" "$@"

lab_note "the host's mounts, one target per line:"
lab_run findmnt -rn -o TARGET
host=$LAB_OUT
lab_note "the same question asked from a new mount namespace:"
lab_run unshare "${LAB_U[@]}" -m findmnt -rn -o TARGET
inside=$LAB_OUT
lab_run unshare "${LAB_U[@]}" -m df -a --output=target
lab_look "the two lists hold the same mounts (maybe in another order): the new namespace"
lab_look "holds a copy of every host mount;"
lab_look "what changes from now on changes in one namespace only (lab 02)"

[ -n "$host" ] || lab_fail "findmnt printed nothing on the host"
# Same mounts, not the same order: the copy is made walking the tree, so its mount ids (and
# the order of /proc/self/mountinfo) follow the tree rather than the history of the host.
lab_expect "mount targets inside the new namespace (sorted)" "$(sort <<<"$host")" "$(sort <<<"$inside")"
lab_pass "the new namespace lists the same $(wc -l <<<"$host") mounts as the host"
