#!/usr/bin/env bash
# Build rootbox, install its applet links into a scratch directory and list them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --release --quiet
dir=$(mktemp -d)
target/release/rootbox --install "$dir"
echo "rootbox applets installed in $dir:"
ls "$dir"
