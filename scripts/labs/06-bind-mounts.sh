#!/usr/bin/env bash
# Lab 06: a bind mount shows one directory at a second place; writes go both ways.
set -euo pipefail
# shellcheck source=scripts/labs/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lab_begin "06 bind mounts, both ways" \
    "mount --bind A B: a write through either name is seen through the other" "$@"

mkdir A B
outer=$$
lab_run unshare "${LAB_U[@]}" -m sh -c "mount --bind A B
echo from-A > A/x; cat B/x
echo from-B > B/y; cat A/y
stat -c %d:%i A/x B/x
findmnt -n -o SOURCE,FSTYPE -M \$PWD/B
findmnt -n --task $outer -M \$PWD/B || echo not on the host"
inside=$LAB_OUT
lab_note "after the namespace is gone, on the host:"
lab_run ls A B
after=$LAB_OUT
lab_look "B/x shows what was written to A/x, A/y what was written to B/y: the same inode"
lab_look "(the same device:inode twice); findmnt -M (--mountpoint) finds no B in the host's"
lab_look "table, and after the namespace ends B is empty again"

mapfile -t l <<<"$inside"
lab_expect "cat B/x" from-A "${l[0]}"
lab_expect "cat A/y" from-B "${l[1]}"
[ "${l[2]}" = "${l[3]}" ] || lab_fail "A/x and B/x are different files: ${l[2]} ${l[3]}"
[[ ${l[4]} == *"[$LAB_TMP/A]"* || ${l[4]} == *"[/A]"* ]] ||
    lab_fail "findmnt B inside does not show a bind of A: ${l[4]}"
lab_expect "findmnt B on the host" "not on the host" "${l[5]}"
lab_expect "ls A B on the host after" "$(printf 'A:\nx\ny\n\nB:')" "$after"
lab_pass "writes went both ways through one inode, and the bind stayed inside"
