#!/usr/bin/env bash
# Bytes on disk: the static multicall with every applet and with each applet set, against
# the 1 MiB budget, BusyBox-static, and util-linux's binaries (libraries counted apart).
set -euo pipefail
cd "$(dirname "$0")/../.."
budget=$((1024 * 1024))
row() { printf '%-34s %9s bytes\n' "$1" "$2"; }
all=$(bash scripts/build-static.sh 2>/dev/null | tail -1)
all_size=$(stat -c %s "$all")
row "rootbox static, every applet" "$all_size"
sets="chroot,pivot_root unshare mount findmnt lsns,nsenter"
# Each applet set is a full release build: --quick measures only the every-applet binary.
[ "${QUICK:-0}" = 1 ] && sets=
for set in $sets; do
    bin=$(bash scripts/build-static.sh --no-default-features --features "$set" 2>/dev/null | tail -1)
    row "rootbox static, $set" "$(stat -c %s "$bin")"
done
# Leave the every-applet build in place for whoever runs next.
bash scripts/build-static.sh >/dev/null 2>&1
bb=$(command -v busybox || true)
[ -z "$bb" ] || row "busybox (static, every applet)" "$(stat -L -c %s "$bb")"
ul=0 libs=0
for t in unshare mount umount chroot pivot_root findmnt lsns nsenter; do
    p=$(command -v "$t" || true)
    [ -n "$p" ] && ul=$((ul + $(stat -L -c %s "$p")))
done
for lib in libmount.so.1 libblkid.so.1 libsmartcols.so.1 libselinux.so.1 libpcre2-8.so.0; do
    p=$(ldconfig -p | awk -v l="$lib" '$1 == l && !p { p = $NF } END { print p }')
    [ -n "$p" ] && libs=$((libs + $(stat -L -c %s "$p")))
done
row "util-linux + coreutils binaries" "$ul"
row "  + their libraries (before libc)" "$((ul + libs))"
verdict=$([ "$all_size" -le "$budget" ] && echo within || echo OVER)
echo
echo "SUMMARY size: rootbox static $all_size bytes, $verdict the $budget-byte budget; busybox ${bb:+$(stat -L -c %s "$bb")} bytes; util-linux $((ul + libs)) bytes with libraries"
[ "$all_size" -le "$budget" ]
