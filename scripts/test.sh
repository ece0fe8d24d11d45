#!/usr/bin/env bash
# Set up a fresh machine and run every rootbox test: formatting, lints, unit and
# integration tests (privileged ones in private namespaces), and the shell-side tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo fmt --all -- --check
cargo clippy --all-targets --quiet -- -D warnings
# A hung test should fail the run with a clear message long before CI's own limit.
timeout --kill-after=30 1800 cargo test --workspace --quiet
bash scripts/test-scripts.sh
