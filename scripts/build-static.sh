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
RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
    cargo build --release --quiet --target "$target" --bin rootbox "$@"
bin="target/$target/release/rootbox"
if command -v file >/dev/null; then
    file -b "$bin" | grep -Eq 'statically linked|static-pie linked' || { echo "build-static: $bin is not static" >&2; exit 1; }
fi
echo "rootbox ($target, static): $(stat -c %s "$bin") bytes" >&2
echo "$bin"
