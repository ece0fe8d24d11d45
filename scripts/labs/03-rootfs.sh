#!/usr/bin/env bash
# Lab 03: a root filesystem is just a directory tree with programs in it.
set -euo pipefail
# shellcheck source=scripts/labs/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lab_begin "03 the root filesystem" \
    "a directory holding a static BusyBox, rootbox's applets, /etc/passwd and empty mount points" "$@"
lab_rootfs

lab_run ls "$ROOTFS"
lab_run ls -l "$ROOTFS/bin/sh" "$ROOTFS/bin/mount" "$ROOTFS/bin/pivot_root" "$ROOTFS/bin/umount"
lab_run cat "$ROOTFS/etc/passwd"
lab_note "run a tool of the rootfs with the rootfs as its root:"
lab_run "${LAB_ROOT[@]}" chroot "$ROOTFS" /bin/mount --version
version=$LAB_OUT
lab_look "bin/sh is BusyBox, bin/mount and the other container tools are links to rootbox;"
lab_look "proc, sys, dev, tmp and old are empty directories: mount points for later labs"

for dir in bin etc proc sys dev tmp old; do
    [ -d "$ROOTFS/$dir" ] || lab_fail "the rootfs has no /$dir directory"
done
for dir in proc sys dev old; do
    [ -z "$(ls -A "$ROOTFS/$dir")" ] || lab_fail "/$dir in the rootfs is not empty"
done
for tool in sh ls cat stat "${RB_NEEDED[@]}"; do
    [ -x "$ROOTFS/bin/$tool" ] || lab_fail "the rootfs has no /bin/$tool"
done
grep -q '^root:' "$ROOTFS/etc/passwd" || lab_fail "no root in the rootfs's /etc/passwd"
[[ $version == "mount from rootbox "* ]] || lab_fail "the rootfs's mount is not rootbox's: '$version'"
lab_pass "the rootfs has a shell, rootbox's tools and empty mount points"
