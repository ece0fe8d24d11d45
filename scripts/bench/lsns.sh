#!/usr/bin/env bash
# lsns and nsenter side by side with util-linux (and BusyBox's nsenter; BusyBox has no
# lsns), in one run, with hyperfine; the ratios are hyperfine's "times faster" lines.
#   scripts/bench/lsns.sh            (or through scripts/bench.sh lsns)
# Reads OURS (directory of our release binaries; default target/release) and QUICK.
# Everything runs in a private mount namespace: N sleeping "containers", each with its own
# uts, ipc and mount namespaces, give lsns many namespaces and processes to list.
set -euo pipefail
cd "$(dirname "$0")/../.."
OURS=${OURS:-$PWD/target/release}
QUICK=${QUICK:-0}
[ "$(id -u)" -eq 0 ] || { echo "lsns.sh: run as root" >&2; exit 1; }
command -v hyperfine > /dev/null || { echo "lsns.sh: needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
[ -x "$OURS/lsns" ] || cargo build --release --quiet --workspace --bins
if [ -z "${LSNS_BENCH_INNER:-}" ]; then
    exec env LSNS_BENCH_INNER=1 OURS="$OURS" QUICK="$QUICK" unshare -m --propagation private -- "$0" "$@"
fi
n=200; runs=30
[ "$QUICK" = 1 ] && { n=50; runs=10; }
pids=()
trap 'kill -9 "${pids[@]}" 2>/dev/null || true' EXIT
for _ in $(seq "$n"); do
    unshare -u -i -m sleep 600 >/dev/null 2>&1 & pids+=($!)
done
# --kill-child: the forked sleep must die with unshare when the trap kills it.
unshare -fp --mount-proc --kill-child -m -u sleep 600 >/dev/null 2>&1 & pids+=($!)
sleep 0.5
target=$(pgrep -P "${pids[-1]}")
echo "# $(ls /proc | grep -c '^[0-9]') processes, $("$OURS/lsns" -n | wc -l) namespaces"
bench() {
    hyperfine -N --warmup 3 --runs "$runs" --style basic "$@" 2>&1 \
        | grep -v -E '^ *$|Range \(min|^Summary|ran$' || true
}
for args in "" "-J" "-r" "-T" "--output-all" "-t uts -p $target"; do
    echo "## lsns $args"
    bench -n "ours" "$OURS/lsns $args" -n "util-linux" "lsns $args"
done
echo "## nsenter -t PID -m -u -i -n -p true"
bench -n "ours" "$OURS/nsenter -t $target -m -u -i -n -p true" \
    -n "util-linux" "nsenter -t $target -m -u -i -n -p true" \
    -n "busybox" "busybox nsenter -t $target -m -u -i -n -p true"
echo "## nsenter -t PID -a true"
bench -n "ours" "$OURS/nsenter -t $target -a true" -n "util-linux" "nsenter -t $target -a true"
if command -v strace > /dev/null; then
    syscalls() { strace -f -c "$@" 2>&1 >/dev/null | awk '/ total$/ { print $4 }'; }
    echo "## system calls (strace -f -c)"
    l_ours=$(syscalls "$OURS/lsns") l_ul=$(syscalls lsns)
    n_ours=$(syscalls "$OURS/nsenter" -t "$target" -a true)
    n_ul=$(syscalls nsenter -t "$target" -a true)
    echo "lsns:        ours $l_ours  util-linux $l_ul"
    echo "nsenter -a:  ours $n_ours  util-linux $n_ul"
    echo
    echo "SUMMARY lsns: syscalls ours $l_ours, util-linux $l_ul; nsenter -a syscalls ours $n_ours, util-linux $n_ul"
fi
