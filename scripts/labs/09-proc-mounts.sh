#!/usr/bin/env bash
# Lab 09: /proc/self/mounts inside and outside the container.
set -euo pipefail
# shellcheck source=scripts/labs/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lab_begin "09 /proc/self/mounts inside and outside" \
    "inside, the container's own mounts only; outside, the host's table, without them" "$@"
lab_rootfs

lab_run container.sh "$ROOTFS" cat /proc/self/mounts
inside=$LAB_OUT
lab_run cat /proc/self/mounts
host=$LAB_OUT
lab_look "inside: /, /proc, /dev and its device nodes, /sys; none of the host's other mounts"
lab_look "and no path of the host; outside: the host's mounts and nothing under the rootfs"

while read -r _ target _; do
    case $target in
    / | /proc | /dev | /dev/* | /sys | /sys/*) ;;
    *) lab_fail "the container sees a mount that is not its own: $target" ;;
    esac
done <<<"$inside"
for want in / /proc /dev /dev/null /sys; do
    cut -d' ' -f2 <<<"$inside" | grep -qx -- "$want" || lab_fail "no $want in the container's table"
done
! grep -q -- " ${ROOTFS}[/ ]" <<<"$host" || lab_fail "the host's table shows a mount under $ROOTFS"
lab_pass "the container's table held only its $(wc -l <<<"$inside") mounts, the host's none of them"
