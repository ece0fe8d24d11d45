#!/usr/bin/env bash
# Build one static, stripped `rootbox` (musl when its target is installed, else glibc with
# crt-static) and report its size; extra arguments go to cargo (e.g.
# `--no-default-features --features chroot,pivot_root` for a smaller applet set).
# Prints the path of the binary on the last line.
set -euo pipefail
cd "$(dirname "$0")/.."
if rustup target list --installed 2>/dev/null | grep -qx x86_64-unknown-linux-musl; then
    target=x86_64-unknown-linux-musl
else
    target=x86_64-unknown-linux-gnu
fi
# Not position-independent: a static-pie binary relocates itself at every start (~27k
# instructions, a third of `chroot / true`'s own work) and carries ~75 KB of relocations.
# The tools never run with elevated privileges (they refuse AT_SECURE) and are memory-safe
# Rust, so address randomisation of their own image buys little; BusyBox-static is built
# the same way. The ordinary `cargo build --release` binaries stay PIE.
RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static -C relocation-model=static" \
    cargo build --profile static --quiet --target "$target" --bin rootbox "$@"
bin="target/$target/static/rootbox"
if command -v file >/dev/null; then
    file -b "$bin" | grep -q 'statically linked' || { echo "build-static: $bin is not static" >&2; exit 1; }
fi
echo "rootbox ($target, static): $(stat -c %s "$bin") bytes" >&2
echo "$bin"
