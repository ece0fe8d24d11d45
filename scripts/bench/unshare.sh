#!/usr/bin/env bash
# unshare start-up, side by side in one run: ours (release build, its own binary and the
# rootbox multicall) against util-linux and BusyBox. Cases (each execs /usr/bin/true):
#   unshare -Umr, unshare -m, unshare -Umrpf --mount-proc
# Ours is measured as the glibc release binary, the multicall, and (when the musl target
# is installed) the static binary. Prints wall-time medians with ratios to util-linux
# (target: ours <= 0.75x), peak RSS, user-space instructions up to the exec, and
# system-call counts (strace -f -c; the baseline measured BusyBox at 58 and util-linux at
# 149 for -Umr).
# Uses ../shared/bench/exec_latency.py (hyperfine). Run as root.
#   scripts/bench/unshare.sh [--rounds N] [--runs N]     (QUICK=1: fewer runs)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
bench=${BENCH:-}
for dir in "$repo/../shared/bench" "$repo/../../shared/bench" /work/shared/bench; do
    [[ -z $bench && -f $dir/exec_latency.py ]] && bench=$dir
done
[[ -n $bench ]] || { echo "unshare.sh: ../shared/bench not found (set BENCH=DIR)" >&2; exit 1; }

cd "$repo"
cargo build --release --quiet -p unshare-rs --bin unshare
cargo build --release --quiet -p rootbox
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/dyn" "$dir/static"
cp target/release/unshare "$dir/dyn/unshare"
impls=("ours=dir:$dir/dyn" "ours-multi=multi:$repo/target/release/rootbox")
# The static build (musl) is what images install: no dynamic loader, BusyBox's footing.
if rustup target list --installed 2>/dev/null | grep -qx x86_64-unknown-linux-musl; then
    cargo build --release --quiet --target x86_64-unknown-linux-musl -p unshare-rs --bin unshare
    cp target/x86_64-unknown-linux-musl/release/unshare "$dir/static/unshare"
    impls+=("ours-static=dir:$dir/static")
fi

# With RUST_BACKTRACE set, anyhow captures a backtrace for every error value, and the
# instruction count runs an error path (the exec target is replaced by a missing path):
# measure what users get.
unset RUST_BACKTRACE RUST_LIB_BACKTRACE
args=("$@")
if [[ ${QUICK:-} == 1 ]]; then args+=(--rounds 3 --runs 50); fi
python3 "$bench/exec_latency.py" util-linux=system busybox=multi:busybox \
    "${impls[@]}" \
    --cases floor-dyn,floor-static,unshare-Umr,unshare-m,unshare-Umrpf "${args[@]}"
