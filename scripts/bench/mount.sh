#!/usr/bin/env bash
# mount/umount throughput: ITER x (`mount -t tmpfs` + `umount`) from a shell loop, with 0,
# 1k and 10k other mounts in the namespace, rootbox beside util-linux and BusyBox in one run
# (../shared/bench/mount_throughput.py: its own private namespace, nothing reaches the host;
# each ratio is the median of per-round ratios, rounds interleaved), then the system calls
# and user-space instructions of one mount and one umount at each table size.
#
# Two builds of ours: the release multicall as cargo builds it (dynamic glibc: most of its
# start-up is ld.so's), and the static one a minimal image ships (scripts/build-static.sh).
# Targets (issue 4): per pair at or below BusyBox at 0 mounts; flat as the table grows
# (a plain umount never reads the mount table).
#
# Run as root: scripts/bench/mount.sh [extra mount_throughput.py options], or through
# scripts/bench.sh mount. Environment: ROOTBOX (the release multicall; built if unset),
# QUICK=1 (200 pairs, 0 and 1k mounts), ITER, LEVELS.
set -euo pipefail
cd "$(dirname "$0")/../.."

. scripts/bench/lib.sh
bench_init mount.sh mount_throughput.py
if [ "${QUICK:-0}" = 1 ]; then
    iter=${ITER:-200} levels=${LEVELS:-0,1000}
else
    iter=${ITER:-1000} levels=${LEVELS:-0,1000,10000}
fi

python3 "$bench/mount_throughput.py" --iterations "$iter" --background "$levels" "$@" \
    util-linux=system busybox=multi:"$busybox" ours-static=multi:"$static" ours-dyn=multi:"$ROOTBOX"
