#!/usr/bin/env bash
# Lab 10: the whole container by hand, and the checks that it is confined.
set -euo pipefail
# shellcheck source=scripts/labs/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lab_begin "10 the container by hand" \
    "container.sh -v: every step printed; / is the rootfs, pid 1 is the command, no way out" "$@"
lab_rootfs

lab_run stat -c %d:%i "$ROOTFS"
rootfs_id=$LAB_OUT
# shellcheck disable=SC2016 # expanded in the container
script='stat -c %d:%i /; cd /; cd ../..; stat -c %d:%i .; hostname
tr "\0" " " </proc/1/cmdline; echo
for p in /proc/[0-9]*; do stat -L -c %d:%i $p/root $p/cwd; done | sort -u'
lab_run container.sh -v --hostname lab10 --workdir / "$ROOTFS" sh -c "$script"
mapfile -t l <<<"$LAB_OUT"
lab_look "the steps: unshare, bind the rootfs onto itself, /proc, /dev, /sys, hostname,"
lab_look "pivot_root . ., umount -l .; then: / and / .. are the rootfs's device:inode, the"
lab_look "hostname is the container's, pid 1 is the command, every process's root and cwd"
lab_look "are inside the rootfs"

lab_expect "device:inode of / inside" "$rootfs_id" "${l[0]}"
lab_expect "device:inode after cd /; cd ../.." "$rootfs_id" "${l[1]}"
lab_expect "hostname" lab10 "${l[2]}"
lab_expect "pid 1's command line" "sh -c $script " "$(sed -n 4,6p <<<"$LAB_OUT")"
lab_expect "root and cwd of every process" "$rootfs_id" "$(sed -n '7,$p' <<<"$LAB_OUT")"
lab_pass "the container's root is the rootfs, with no way back to the host's tree"
