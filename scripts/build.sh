#!/usr/bin/env bash
# Builds the release extension: target/release/libshmqueue.so
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p shmqueue ${SHMQUEUE_FEATURES:+--features "$SHMQUEUE_FEATURES"}
echo "built $(pwd)/target/release/libshmqueue.so"
