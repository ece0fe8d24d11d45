#!/usr/bin/env bash
# Install what building and testing rootbox needs on a fresh Debian machine:
# the Rust components, and the Debian packages the tests use (a static BusyBox for the test
# rootfs, util-linux for differential tests, strace for syscall counts). Safe to re-run.
set -euo pipefail

need=()
command -v busybox >/dev/null 2>&1 || [ -x /bin/busybox ] || need+=(busybox-static)
command -v strace >/dev/null 2>&1 || need+=(strace)
command -v setpriv >/dev/null 2>&1 || need+=(util-linux)
command -v unshare >/dev/null 2>&1 || need+=(util-linux)
command -v ps >/dev/null 2>&1 || need+=(procps)
command -v man >/dev/null 2>&1 || need+=(man-db)
command -v groff >/dev/null 2>&1 || need+=(groff-base)
command -v findmnt >/dev/null 2>&1 || need+=(util-linux)
command -v mount >/dev/null 2>&1 || need+=(mount)
command -v script >/dev/null 2>&1 || need+=(bsdutils)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    else
        echo "setup: missing packages ${need[*]} (run as root to install them)" >&2
    fi
fi
rustup component add rustfmt clippy >/dev/null 2>&1 || true
# The musl target makes the smallest static multicall (scripts/build-static.sh); without it
# the static build falls back to glibc with crt-static.
timeout 120 rustup target add x86_64-unknown-linux-musl >/dev/null 2>&1 || true
