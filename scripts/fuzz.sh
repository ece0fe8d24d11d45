#!/usr/bin/env bash
# Run the cargo-fuzz targets of fuzz/ for SECONDS each, one job, one after the other, and
# print the executions and the result of each.
#
#   scripts/fuzz.sh SECONDS [TARGET...]     (default: every target of fuzz/Cargo.toml)
#
# Needs the nightly toolchain (libFuzzer and the sanitizers are nightly-only); installs
# cargo-fuzz with `cargo install` when it is missing. Inputs found are kept in
# fuzz/target/corpus/TARGET (not committed); the committed seeds in fuzz/corpus/TARGET and
# the crash regressions in fuzz/regressions/TARGET are read, never written. A crash leaves
# its input in fuzz/artifacts/TARGET/ and makes the script exit 1: minimize it
# (`cargo +nightly fuzz tmin TARGET FILE`), fix the bug, and commit the input under
# fuzz/regressions/TARGET/ so tests/by-tool/fuzz_corpus.rs replays it forever.
set -euo pipefail

prog=${0##*/}
usage() {
    echo "Usage: $prog SECONDS [TARGET...]" >&2
    exit 2
}
[[ $# -ge 1 && $1 =~ ^[1-9][0-9]*$ ]] || usage
seconds=$1
shift

cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

if ! command -v rustup >/dev/null || ! rustup run nightly rustc --version >/dev/null 2>&1; then
    echo "$prog: the nightly Rust toolchain is missing (cargo-fuzz needs it):" >&2
    echo "    rustup toolchain install nightly" >&2
    exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "$prog: installing cargo-fuzz" >&2
    cargo install --locked cargo-fuzz >&2
fi

if [[ $# -eq 0 ]]; then
    mapfile -t targets < <(cargo +nightly fuzz list)
else
    targets=("$@")
fi

# -a: debug assertions and overflow checks on, as in the test suite.
cargo +nightly fuzz build -a >&2

logs=fuzz/target/logs
mkdir -p "$logs"
failed=0
rows=()
for t in "${targets[@]}"; do
    work=fuzz/target/corpus/$t
    mkdir -p "$work" "fuzz/artifacts/$t"
    dirs=("$work")
    for d in "fuzz/corpus/$t" "fuzz/regressions/$t"; do
        [[ -d $d ]] && dirs+=("$d")
    done
    echo "$prog: $t for ${seconds}s (log: $logs/$t.log)" >&2
    # One process, one job (libFuzzer's default; -jobs=N would fork workers). Stdout is
    # closed: the findmnt target prints tables. findmnt_args's stderr is closed too (its
    # error messages would fill the log); libFuzzer keeps its own copy of stderr, and a
    # crash's panic message shows when its artifact is replayed.
    # findmnt's run() hands its table to mem::forget on purpose (the process is about to
    # exit; freeing 100k entries costs more than building them), so called in a loop it
    # "leaks" by design: no leak detection there (the RSS limit still bounds it).
    extra=(-close_fd_mask=1)
    asan=${ASAN_OPTIONS:-}
    if [[ $t == findmnt_args ]]; then
        extra=(-close_fd_mask=3 -detect_leaks=0)
        asan="${asan:+$asan:}detect_leaks=0" # LeakSanitizer's own check at exit
    fi
    rc=0
    ASAN_OPTIONS=$asan cargo +nightly fuzz run -a "$t" "${dirs[@]}" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        "${extra[@]}" -print_final_stats=1 \
        </dev/null >"$logs/$t.log" 2>&1 || rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$t.log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$logs/$t.log" | tail -n 1)
    if [[ $rc -eq 0 ]]; then
        result=ok
    else
        failed=1
        artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$logs/$t.log" | tail -n 1)
        result="FAILED (exit $rc) ${artifact:-see $logs/$t.log}"
        grep -m1 -E "panicked at|ERROR: libFuzzer|SUMMARY" "$logs/$t.log" >&2 || true
    fi
    rows+=("$(printf '%-16s %12s %10s  %s' "$t" "${execs:-?}" "${rate:-?}" "$result")")
done

printf '%-16s %12s %10s  %s\n' TARGET EXECUTIONS EXEC/S RESULT
printf '%s\n' "${rows[@]}"
exit "$failed"
