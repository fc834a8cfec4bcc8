#!/usr/bin/env bash
# The benchmark, one command: bash bench/run.sh [all|table|scaling]   (see bench/README.md for
# how long each takes). table: bench/bench.php (throughput of every peer, latency, memory);
# scaling: bench/scaling.php (cost against depth, size, consumers, queues open; recovery time;
# PNG plots into bench/plots). all (default): both. For the table it starts a private
# redis-server on a free loopback port (no persistence) and stops it at exit. Not part of the tests.
# Environment: SHMQUEUE_SO (default target/release/libshmqueue.so, built if missing), PHP_BIN,
# BENCH_SECONDS, BENCH_RUNS, BENCH_BATCH, BENCH_ORIGINAL (see bench.php).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
source "$root/tests/lib/php.sh"   # PHP_BIN, SHMQUEUE_SO, missing_commands, ini_dir_without_shmqueue
php=$PHP_BIN
so=$SHMQUEUE_SO
what="${1:-all}"
case "$what" in
    all|table|scaling) ;;
    *) echo "usage: bash bench/run.sh [all|table|scaling]" >&2; exit 2 ;;
esac

# The peers come from scripts/deps.sh; a missing one leaves its rows n/a.
php_minor="$("$php" -r 'echo PHP_MAJOR_VERSION, ".", PHP_MINOR_VERSION;')"
for command in $(missing_commands redis-server cgi-fcgi "php-fpm$php_minor" gnuplot); do
    echo "bench: $command is not installed (its rows will be n/a; bash scripts/deps.sh installs it)" >&2
done
if [ ! -f "$so" ]; then
    echo "bench: $so missing, building it" >&2
    bash "$root/scripts/build.sh"
fi

redis_pid=""
cleanup() {
    if [ -n "$redis_pid" ]; then
        kill "$redis_pid" 2>/dev/null || true
        wait "$redis_pid" 2>/dev/null || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=""
if [ "$what" != scaling ] && command -v redis-server >/dev/null; then
    # A free loopback port: ask the kernel for one.
    port="$("$php" -r '$s = stream_socket_server("tcp://127.0.0.1:0"); echo explode(":", stream_socket_get_name($s, false))[1];')"
    redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
        --dir /tmp --logfile "" --loglevel warning >/dev/null &
    redis_pid=$!
    for _ in $(seq 100); do
        "$php" -r '$s = @fsockopen("127.0.0.1", (int) $argv[1]); exit($s ? 0 : 1);' "$port" && break
        sleep 0.05
    done
fi

# The extension under test is loaded with -d; an installed copy enabled in conf.d (by
# scripts/install.sh, say) would be loaded instead, so PHP reads a copy of its conf.d without it.
ini_dir="$(mktemp -d)"
trap 'cleanup; rm -rf "$ini_dir"' EXIT
ini_dir_without_shmqueue "$ini_dir"

if [ "$what" != scaling ]; then
    PHP_INI_SCAN_DIR="$ini_dir" BENCH_REDIS_PORT="$port" SHMQUEUE_SO="$so" \
        "$php" -d "extension=$so" "$here/bench.php"
fi
if [ "$what" != table ]; then
    PHP_INI_SCAN_DIR="$ini_dir" SHMQUEUE_SO="$so" "$php" -d "extension=$so" "$here/scaling.php"
fi
