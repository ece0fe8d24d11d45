#!/usr/bin/env bash
# The benchmark report: build release binaries once, then run every tool's section
# (scripts/bench/*.sh) side by side with util-linux and BusyBox, each printing ratios.
#   scripts/bench.sh [--quick] [SECTION...]     e.g. scripts/bench.sh --quick findmnt
# Sections read OURS (dir of per-tool release binaries), ROOTBOX (the multicall) and QUICK.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
sections=()
for arg in "$@"; do
    case $arg in
        --quick) quick=1 ;;
        -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
        *) sections+=("$arg") ;;
    esac
done
[ "$(id -u)" -eq 0 ] || { echo "bench: run as root (the benchmarks mount in private namespaces)" >&2; exit 1; }
cargo build --release --quiet --workspace --bins
export OURS="$PWD/target/release" ROOTBOX="$PWD/target/release/rootbox" QUICK=$quick
[ ${#sections[@]} -gt 0 ] || sections=($(ls scripts/bench/ | sed -n '/^lib\.sh$/d; s/\.sh$//p'))
results=$(mktemp -d "${TMPDIR:-/tmp}/rootbox-bench.XXXXXX")
failed=()
for s in "${sections[@]}"; do
    echo "=== $s ==="
    start=$SECONDS
    bash "scripts/bench/$s.sh" 2>&1 | tee "$results/$s.txt" || failed+=("$s")
    echo "(section $s: $((SECONDS - start)) s)"
done
echo
echo "=== summary (full output in $results) ==="
grep -h '^SUMMARY' "$results"/*.txt || true
[ ${#failed[@]} -eq 0 ] || { echo "bench: sections that failed: ${failed[*]}" >&2; exit 1; }
