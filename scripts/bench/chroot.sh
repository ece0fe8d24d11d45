#!/usr/bin/env bash
# chroot start-up: `chroot / /usr/bin/true` with rootbox's chroot beside GNU coreutils' and
# BusyBox's, timed side by side with ../shared/bench/exec_latency.py (hyperfine when
# installed; each ratio is the median of per-round ratios, rounds interleaved), then the
# system calls each makes (`strace -f -c`; /usr/bin/true's own calls are the same for all).
#
# Two builds of ours: the release multicall as cargo builds it (dynamic glibc: most of its
# start-up is ld.so's), and the static one a minimal image ships (scripts/build-static.sh).
#
# Run as root: scripts/bench/chroot.sh [extra exec_latency.py options], or through
# scripts/bench.sh chroot. Environment: ROOTBOX (the release multicall; built if unset),
# QUICK=1 (fewer rounds), ROUNDS, RUNS; the locale is inherited by all three (GNU chroot
# calls setlocale(): compare under the same LANG/LC_ALL).
set -euo pipefail
cd "$(dirname "$0")/../.."

. scripts/bench/lib.sh
bench_init chroot.sh exec_latency.py
gnu=$(command -v chroot)
if [ "${QUICK:-0}" = 1 ]; then
    rounds=${ROUNDS:-3} runs=${RUNS:-50}
else
    rounds=${ROUNDS:-5} runs=${RUNS:-200}
fi

echo "== exec latency: chroot / /usr/bin/true"
python3 "$bench/exec_latency.py" --cases floor-dyn,floor-static,chroot \
    --rounds "$rounds" --runs "$runs" "$@" \
    coreutils=system busybox=multi:"$busybox" ours-static=multi:"$static" ours-dyn=multi:"$ROOTBOX"

echo
echo "== system calls (strace -f -c), chroot / /usr/bin/true"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
# The "calls" column of strace's summary, found by its header (the "errors" column may be
# empty).
count() {
    strace -f -c -o "$tmp" "$@" >/dev/null
    awk '/^% time/ { for (i = 1; i <= NF; i++) if ($i == "calls") col = i - 1 }
         $NF == "total" { print $col }' "$tmp"
}
floor=$(count /usr/bin/true)
printf '%-12s %6s %6s\n' impl total own
for impl in coreutils busybox ours-static ours-dyn; do
    case $impl in
        coreutils) cmd=("$gnu") ;;
        busybox) cmd=("$busybox" chroot) ;;
        ours-static) cmd=("$static" chroot) ;;
        ours-dyn) cmd=("$ROOTBOX" chroot) ;;
    esac
    total=$(count "${cmd[@]}" / /usr/bin/true)
    printf '%-12s %6s %6s\n' "$impl" "$total" "$((total - floor))"
done
echo "(own = total minus the $floor calls of /usr/bin/true alone)"
