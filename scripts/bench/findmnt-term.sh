#!/usr/bin/env bash
# findmnt on a terminal (the table fitted to its width), ours beside util-linux in one run:
# `findmnt -F FILE` (tree and --list) on generated mountinfo tables of 1k/10k/100k entries,
# each run under a pseudo-terminal COLS wide (util-linux `script`), with `cat FILE` through
# the same terminal as the floor. The outputs are compared byte for byte before timing.
# util-linux's tree is quadratic (22 min at 100k): its tree runs stop at TREE_MAX entries.
#
#   scripts/bench/findmnt-term.sh                   # 1k, 10k, 100k; 120 columns
#   SIZES=1000,10000 COLS=80 scripts/bench/findmnt-term.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
bench=../shared/bench
[ -d "$bench" ] || bench=/work/shared/bench
command -v hyperfine > /dev/null || { echo "findmnt-term.sh: hyperfine is needed" >&2; exit 1; }
command -v script > /dev/null || { echo "findmnt-term.sh: script (util-linux) is needed" >&2; exit 1; }
unset RUST_BACKTRACE RUST_LIB_BACKTRACE
cargo build --release -q -p findmnt-rs --bin findmnt
ours=$PWD/target/release/findmnt
theirs=${UL_FINDMNT:-/usr/bin/findmnt}
cols=${COLS:-120}
tree_max=${TREE_MAX:-10000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The command line that runs ARGS on a terminal `cols` wide, its output discarded.
on_tty() { printf "script -q -e -c 'stty cols %s rows 50; exec %s' /dev/null" "$cols" "$*"; }

# Seconds (mean) of one hyperfine run.
mean() {
    hyperfine -N -w 1 -r "${RUNS:-5}" --export-json "$tmp/h.json" "$1" > /dev/null 2>&1
    python3 -c 'import json,sys; print("%.4f" % json.load(open(sys.argv[1]))["results"][0]["mean"])' "$tmp/h.json"
}

printf '%-8s %-6s %10s %10s %10s %8s\n' entries mode ours util-linux cat ratio
IFS=, read -r -a sizes <<< "${SIZES:-1000,10000,100000}"
for n in "${sizes[@]}"; do
    file=$tmp/mi$n
    python3 "$bench/gen_mountinfo.py" "$n" -o "$file"
    floor=$(mean "$(on_tty cat "$file")")
    for mode in tree list; do
        args="-F $file"
        [ $mode = list ] && args="-l $args"
        if [ $mode = tree ] && [ "$n" -gt "$tree_max" ]; then
            t=$(mean "$(on_tty "$ours" "$args")")
            printf '%-8s %-6s %10s %10s %10s %8s\n' "$n" $mode "$t" - "$floor" -
            continue
        fi
        script -q -e -c "stty cols $cols rows 50; exec $ours $args" /dev/null > "$tmp/a"
        script -q -e -c "stty cols $cols rows 50; exec $theirs $args" /dev/null > "$tmp/b"
        same=identical
        cmp -s "$tmp/a" "$tmp/b" || same=DIFFERENT
        t=$(mean "$(on_tty "$ours" "$args")")
        u=$(mean "$(on_tty "$theirs" "$args")")
        ratio=$(python3 -c "print('%.1fx' % ($u / $t))")
        printf '%-8s %-6s %10s %10s %10s %8s  %s\n' "$n" $mode "$t" "$u" "$floor" "$ratio" "$same"
    done
done
