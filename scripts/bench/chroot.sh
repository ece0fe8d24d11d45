#!/usr/bin/env bash
# chroot start-up: `chroot / /usr/bin/true` with rootbox's chroot (release multicall) beside
# GNU coreutils' and BusyBox's, timed side by side with ../shared/bench/exec_latency.py
# (hyperfine when installed; ratios are per interleaved round), then the system calls each
# makes (`strace -f -c`, the exec'd /usr/bin/true included, the same for everyone).
#
# Run as root from anywhere: scripts/bench/chroot.sh [extra exec_latency.py options]
# Environment: ROUNDS (default 5), RUNS (default 200), LANG/LC_ALL as you want them
# compared (all three inherit the same locale; GNU chroot calls setlocale()).
set -euo pipefail
cd "$(dirname "$0")/../.."

bench=
for candidate in ../shared/bench ../../shared/bench; do
    [ -f "$candidate/exec_latency.py" ] && bench=$candidate && break
done
[ -n "$bench" ] || { echo "chroot.sh: ../shared/bench not found beside the repository" >&2; exit 1; }

# The release multicall as cargo builds it by default (dynamic glibc), and, when the musl
# target is installed, the static build a minimal image would ship (no dynamic loader:
# most of a dynamic binary's start-up system calls are ld.so's).
cargo build --release --quiet
impls=(ours-dyn=multi:"$PWD/target/release/rootbox")
labels=(ours-dyn)
if rustup target list --installed 2>/dev/null | grep -qx x86_64-unknown-linux-musl; then
    cargo build --release --quiet --target x86_64-unknown-linux-musl
    impls=(ours-static=multi:"$PWD/target/x86_64-unknown-linux-musl/release/rootbox" "${impls[@]}")
    labels=(ours-static "${labels[@]}")
fi
busybox=$(command -v busybox || echo /bin/busybox)
gnu=$(command -v chroot)

echo "== exec latency: chroot / /usr/bin/true"
python3 "$bench/exec_latency.py" --cases floor-dyn,floor-static,chroot \
    --rounds "${ROUNDS:-5}" --runs "${RUNS:-200}" "$@" \
    coreutils=system busybox=multi:"$busybox" "${impls[@]}"

echo
echo "== system calls (strace -f -c), chroot / /usr/bin/true"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
# The "calls" column of strace's summary, found by its header (the "errors" column may
# be empty).
count() {
    strace -f -c -o "$tmp" "$@" >/dev/null
    awk '/^% time/ { for (i = 1; i <= NF; i++) if ($i == "calls") col = i - 1 }
         $NF == "total" { print $col }' "$tmp"
}
floor=$(count /usr/bin/true)
printf '%-10s %8s %8s\n' impl total own
for impl in coreutils busybox "${labels[@]}"; do
    case $impl in
        coreutils) cmd=("$gnu") ;;
        busybox) cmd=("$busybox" chroot) ;;
        ours-static) cmd=("$PWD/target/x86_64-unknown-linux-musl/release/rootbox" chroot) ;;
        ours-dyn) cmd=("$PWD/target/release/rootbox" chroot) ;;
    esac
    total=$(count "${cmd[@]}" / /usr/bin/true)
    printf '%-10s %8s %8s\n' "$impl" "$total" "$((total - floor))"
done
echo "(own = total minus the $floor calls of /usr/bin/true alone)"
