#!/usr/bin/env bash
# The main job: build rootbox, make a minimal rootfs, and start a shell (or run the given
# command) in a container built by hand from rootbox's own tools, each step printed.
#   scripts/demo.sh                  an interactive shell in the container
#   scripts/demo.sh cat /etc/passwd  run a command in it instead
# ROOTFS chooses the rootfs directory (default target/rootfs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --quiet
rootfs=${ROOTFS:-target/rootfs}
bash scripts/mkrootfs.sh "$rootfs"
exec bash scripts/container.sh -v "$rootfs" "$@"
