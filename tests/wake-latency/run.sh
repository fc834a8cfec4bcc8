#!/usr/bin/env bash
# Wake-up latency, idle CPU and signal delay of blocked SHMQueue calls (see wake.php).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SHMQUEUE_SO=${SHMQUEUE_SO:-$here/../../target/release/libshmqueue.so}
PHP_BIN=${PHP_BIN:-php}
prefix=wake-latency-$$
output=$(mktemp)
cleanup() {
    for name in wake idle full signal signal-full; do
        "$PHP_BIN" -d extension="$SHMQUEUE_SO" -r 'SHMQueue::remove($argv[1]);' "$prefix-$name" >/dev/null 2>&1
    done
    rm -f "$output"
}
trap cleanup EXIT
"$PHP_BIN" -d extension="$SHMQUEUE_SO" "$here/wake.php" "$prefix" 2>&1 | tee "$output"
status=${PIPESTATUS[0]}
if ! grep -q "^RESULT: " "$output"; then
    echo "wake.php ended (status $status) before its summary"
    echo "RESULT: 0 passed, 1 failed"
fi
exit "$status"
