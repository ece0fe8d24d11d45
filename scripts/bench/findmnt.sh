#!/usr/bin/env bash
# findmnt at scale, ours beside util-linux in one run (ratios per interleaved round):
#   1. `findmnt -F FILE` on generated mountinfo tables of 1k/10k/100k entries in every mode
#      (tree, --list, --raw, --json, -o ... tree), with log-log slopes and peak RSS;
#   2. a live table of 1k/10k/~100k mounts in a private namespace (tree, -l, -J, -T, -M,
#      and `cat /proc/self/mountinfo`, the kernel's floor).
# util-linux's tree modes are quadratic (22 min at 100k): EST_LIMIT (seconds, default 60)
# skips runs estimated to take longer than that.
#
#   scripts/bench/findmnt.sh                      # release build, both parts, all sizes
#   SIZES=1000,10000 scripts/bench/findmnt.sh     # quicker
#   UL=dir:/path/to/util-linux/bin scripts/bench/findmnt.sh   # another util-linux
set -euo pipefail
cd "$(dirname "$0")/../.."
bench=../shared/bench
[ -d "$bench" ] || bench=/work/shared/bench
cargo build --release -q -p findmnt-rs --bin findmnt
export FINDMNT="$PWD/target/release/findmnt"
if [ "${QUICK:-0}" = 1 ]; then
    sizes=${SIZES:-1000,10000} est=${EST_LIMIT:-10}
else
    sizes=${SIZES:-1000,10000,100000} est=${EST_LIMIT:-60}
fi
ul=${UL:-system}
echo "== findmnt -F FILE (sizes $sizes)"
python3 "$bench/findmnt_file.py" "util-linux=$ul" --sizes "$sizes" --est-limit "$est" ${FILE_ARGS:-}
echo "== live mount table in a private namespace (sizes $sizes)"
python3 "$bench/findmnt_live.py" "util-linux=$ul" --sizes "$sizes" --est-limit "$est" ${LIVE_ARGS:-}
