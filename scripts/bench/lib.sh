# shellcheck shell=bash disable=SC2034  # the variables set here are for the sourcing script
# Set-up shared by the benchmark scripts, sourced after `set -euo pipefail` and a `cd` to the
# repository root:
#   bench_init PROG FILE
# finds ../shared/bench beside the repository (the directory holding FILE) as $bench,
# builds the release multicall as $ROOTBOX unless set, the static one a minimal image ships
# (scripts/build-static.sh) as $static, and finds BusyBox as $busybox. PROG names the
# script in its error message.

bench_init() {
    local prog=$1 file=$2 candidate
    bench=
    for candidate in ../shared/bench ../../shared/bench; do
        [ -f "$candidate/$file" ] && bench=$candidate && break
    done
    [ -n "$bench" ] || { echo "$prog: ../shared/bench not found beside the repository" >&2; exit 1; }

    # anyhow captures a std::backtrace::Backtrace for every error when these are set (240k
    # instructions on an exec-failure path); users do not run with them, so neither does
    # the benchmark.
    unset RUST_BACKTRACE RUST_LIB_BACKTRACE

    if [ -z "${ROOTBOX:-}" ]; then
        cargo build --release --quiet --bin rootbox
        ROOTBOX=$PWD/target/release/rootbox
    fi
    static=$PWD/$(bash scripts/build-static.sh 2>/dev/null | tail -1)
    busybox=$(command -v busybox || echo /bin/busybox)
}
