#!/usr/bin/env bash
# unshare start-up, side by side in one run: ours against util-linux and BusyBox.
# Cases (each execs /usr/bin/true): unshare -Umr, unshare -m, unshare -Umrpf --mount-proc.
# Ours is measured three ways: the glibc release binary (OURS/unshare), the release
# multicall (ROOTBOX) and the static multicall of scripts/build-static.sh (what images
# install). Prints wall-time medians with ratios to util-linux (target: <= 0.75x), peak RSS,
# user-space instructions up to the exec and system-call counts (strace -f -c; the
# baseline measured BusyBox at 58 and util-linux at 149 for -Umr).
# Uses ../shared/bench/exec_latency.py (hyperfine). Run as root.
#   scripts/bench/unshare.sh [--rounds N] [--runs N]    (QUICK=1: fewer runs)
# Reads OURS, ROOTBOX and QUICK as scripts/bench.sh sets them; builds what is missing.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
bench=${BENCH:-}
for dir in "$repo/../shared/bench" "$repo/../../shared/bench" /work/shared/bench; do
    [[ -z $bench && -f $dir/exec_latency.py ]] && bench=$dir
done
[[ -n $bench ]] || { echo "unshare.sh: ../shared/bench not found (set BENCH=DIR)" >&2; exit 1; }

cd "$repo"
if [[ -z ${OURS:-} || -z ${ROOTBOX:-} ]]; then
    cargo build --release --quiet --workspace --bins
    OURS=$repo/target/release ROOTBOX=$repo/target/release/rootbox
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cp "$OURS/unshare" "$dir/unshare"   # a directory holding only unshare
impls=("ours=dir:$dir" "ours-multi=multi:$ROOTBOX")
if static=$(scripts/build-static.sh | tail -n 1) && [[ -x $static ]]; then
    impls+=("ours-static=multi:$repo/$static")
else
    echo "unshare.sh: no static build (scripts/build-static.sh failed); measuring the others" >&2
fi

# With RUST_BACKTRACE set, anyhow captures a backtrace for every error value, and the
# instruction count runs an error path (the exec target is replaced by a missing path):
# measure what users get.
unset RUST_BACKTRACE RUST_LIB_BACKTRACE
args=("$@")
if [[ ${QUICK:-0} == 1 ]]; then args+=(--rounds 3 --runs 50); fi
python3 "$bench/exec_latency.py" util-linux=system busybox=multi:busybox "${impls[@]}" \
    --cases floor-dyn,floor-static,unshare-Umr,unshare-m,unshare-Umrpf "${args[@]}"
