#!/usr/bin/env bash
# Lab 05: chroot, the simpler and weaker way to change the root.
set -euo pipefail
# shellcheck source=scripts/labs/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lab_begin "05 chroot: the simpler, weaker switch" \
    "chroot rootfs shows rootfs as /, but the host's tree stays in the mount namespace" "$@"
lab_rootfs

lab_run ls "$ROOTFS"
host_ls=$LAB_OUT
lab_run "${LAB_ROOT[@]}" chroot "$ROOTFS" /bin/sh -c 'ls /; cd /; cd ../../..; ls'
inside_ls=$LAB_OUT
lab_look "the process sees the rootfs as /, and .. at / stays there"
lab_note "but chroot changes only where path lookups start: nothing is unmounted, and any"
lab_note "process outside the chroot is a way back. Here /proc/PID/root of the shell that"
lab_note "ran chroot (its root is the host's /) is seen from inside the chroot:"
lab_run ls /
host_root=$LAB_OUT
lab_run unshare "${LAB_U[@]}" -m sh -c "mount --rbind /proc $ROOTFS/proc && chroot $ROOTFS /bin/ls /proc/\$\$/root/"
escaped=$LAB_OUT
lab_look "the last listing is the host's /, read from inside the chroot; after pivot_root"
lab_look "in its own mount and pid namespaces (labs 04, 10) there is no such way back"

lab_expect "ls / inside the chroot" "$host_ls" "$(sed -n "1,$(wc -l <<<"$host_ls")p" <<<"$inside_ls")"
lab_expect "ls after cd ../../.. inside the chroot" "$host_ls" \
    "$(sed "1,$(wc -l <<<"$host_ls")d" <<<"$inside_ls")"
lab_expect "/proc/\$\$/root listed from inside the chroot" "$host_root" "$escaped"
lab_pass "chroot showed the rootfs as /, and the host's / was still reachable"
