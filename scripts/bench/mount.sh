#!/usr/bin/env bash
# mount/umount throughput, ours beside util-linux and BusyBox in one run:
# ITER x (mount -t tmpfs + umount) with 0, 1k and 10k other mounts in the namespace
# (../shared/bench/mount_throughput.py: a private namespace, nothing reaches the host).
#
#   scripts/bench/mount.sh                  # release build, then the benchmark
#   ITER=200 LEVELS=0,1000 scripts/bench/mount.sh
#   BENCH_DIR=/path/to/shared/bench scripts/bench/mount.sh
#
# Target (issue 4): per pair at or below BusyBox at 0 mounts, flat as the table grows.
# Run as root.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
bench=${BENCH_DIR:-$repo/../shared/bench}
# A git worktree under wt/NAME sits one level deeper than the main checkout.
[ -d "$bench" ] || bench=$repo/../../shared/bench
[ -f "$bench/mount_throughput.py" ] || { echo "mount.sh: no shared/bench beside the repo (set BENCH_DIR)" >&2; exit 1; }

cargo build --release --quiet --manifest-path "$repo/Cargo.toml" -p mount-rs
impls=(util-linux=system "ours=dir:$repo/target/release")
# The static musl build (how the multicall ships): no dynamic loader, 12 system calls.
musl=x86_64-unknown-linux-musl
if rustup target list --installed 2>/dev/null | grep -qx "$musl"; then
    cargo build --release --quiet --manifest-path "$repo/Cargo.toml" -p mount-rs \
        --target "$musl" --target-dir "$repo/target/static"
    impls+=("ours-static=dir:$repo/target/static/$musl/release")
fi
if command -v busybox >/dev/null; then impls+=(busybox=multi:"$(command -v busybox)"); fi

exec python3 "$bench/mount_throughput.py" "${impls[@]}" \
    --iterations "${ITER:-1000}" --background "${LEVELS:-0,1000,10000}" "$@"
