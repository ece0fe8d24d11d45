#!/usr/bin/env bash
# Lab 02: what is mounted inside a private mount namespace stays inside.
set -euo pipefail
# shellcheck source=scripts/labs/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lab_begin "02 mounts inside stay inside" \
    "a tmpfs mounted on /mnt in a new namespace is seen inside and absent on the host" "$@"

mnt=/mnt
[ -d "$mnt" ] || { mnt=$LAB_TMP/mnt && mkdir "$mnt"; }
outer=$$
lab_note "inside: mount a tmpfs named lab02 on $mnt, look at it from inside and, with"
lab_note "findmnt --task $outer (this shell, still in the host's namespace), from outside:"
lab_run unshare "${LAB_U[@]}" -m sh -c "mount -t tmpfs lab02 $mnt && findmnt $mnt &&
grep -c lab02 /proc/self/mountinfo && echo host: && findmnt -rn --task $outer -o TARGET,SOURCE | grep -c lab02" ||
    true
inside=$LAB_OUT
lab_note "and on the host, after the namespace is gone:"
lab_run sh -c "findmnt -rn -o TARGET,SOURCE | grep -c lab02" || true
after=$LAB_OUT
lab_look "inside, $mnt is a tmpfs from source lab02 (1 line in /proc/self/mountinfo);"
lab_look "the host's table never had it (0 while the namespace lived, 0 after)"

grep -q "^$mnt *lab02 *tmpfs" <<<"$inside" || lab_fail "the tmpfs is not on $mnt inside: $inside"
lab_expect "count of lab02 inside, then on the host meanwhile" \
    "$(printf '1\nhost:\n0')" "$(sed 1,2d <<<"$inside")"
lab_expect "count of lab02 on the host after" 0 "$after"
lab_pass "the tmpfs was mounted inside only"
