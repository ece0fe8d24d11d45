#!/usr/bin/env bash
# Lab 04: switch the root with pivot_root, then detach the old one.
set -euo pipefail
# shellcheck source=scripts/labs/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lab_begin "04 switch the root" \
    "mount --bind rootfs rootfs; cd rootfs; pivot_root . old; umount -l /old: / is the rootfs" "$@"
lab_rootfs

lab_note "on the host, the rootfs directory's inode (ls -id) and device:inode:"
lab_run ls -id "$ROOTFS"
lab_run stat -c %d:%i "$ROOTFS"
host=$LAB_OUT
lab_note "pivot_root needs new_root to be a mount point (hence the bind onto itself) and"
lab_note "a pid namespace lets the rootfs get its own /proc; after pivot_root the commands"
lab_note "are the rootfs's own (PATH=/bin):"
lab_run unshare "${LAB_U[@]}" -m -p -f sh -c "mount --bind $ROOTFS $ROOTFS
cd $ROOTFS
mount -t proc proc proc
pivot_root . old
cd /
PATH=/bin
umount -l /old
ls -id /
stat -c %d:%i /
cat /proc/self/mountinfo
ls -a /old"
inside=$LAB_OUT
lab_look "ls -id / inside prints the inode ls -id prints for the rootfs on the host; the"
lab_look "mount table has only / and /proc; /old is empty: the host's tree is gone"

mapfile -t lines <<<"$inside"
lab_expect "device:inode of / inside" "$host" "${lines[1]}"
mounts=$(sed -n '/ - /p' <<<"$inside")
lab_expect "mounts inside (mount point of each)" "$(printf '/\n/proc')" "$(cut -d' ' -f5 <<<"$mounts")"
lab_expect "ls -a /old inside" "$(printf '.\n..')" "$(sed '/ - /d' <<<"$inside" | tail -n 2)"
lab_pass "/ inside is the rootfs ($host) and nothing of the host is mounted"
