#!/usr/bin/env bash
# Run every lab in order (one rootfs for all of them) and say which passed.
# Usage: run-all.sh [--trace]     (--trace: every rootbox tool prints its system calls)
set -euo pipefail
# shellcheck source=scripts/labs/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
for a in "$@"; do
    case $a in
    --trace) ;;
    -h | --help) sed -n '2,3s/^# \{0,1\}//p' "$0" && exit 0 ;;
    *) rb_die "unknown argument '$a' (try --help)" ;;
    esac
done
rb_tools
labs=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rootbox-labs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if [ -z "${ROOTFS:-}" ]; then
    ROOTFS=$tmp/rootfs
    echo "run-all.sh: making a root filesystem: scripts/mkrootfs.sh $ROOTFS"
    ROOTBOX=$(readlink -f "$ROOTBOX_BIN/mount") bash "$RB_SCRIPTS/mkrootfs.sh" "$ROOTFS" \
        >"$tmp/mkrootfs.log" 2>&1 || {
        cat "$tmp/mkrootfs.log" >&2
        rb_die "scripts/mkrootfs.sh could not make a rootfs"
    }
fi
export ROOTFS

passed=() failed=()
for lab in "$labs"/[0-9][0-9]-*.sh; do
    name=$(basename "$lab" .sh)
    if bash "$lab" "$@"; then passed+=("$name"); else failed+=("$name"); fi
    echo
done
echo "run-all.sh: ${#passed[@]} passed, ${#failed[@]} failed${failed[*]:+: ${failed[*]}}"
[ ${#failed[@]} -eq 0 ]
