#!/usr/bin/env bash
# The benchmark, one command: bash bench/run.sh   (about 2.5-3 minutes on 2 cores)
# Starts a private redis-server on a free loopback port (no persistence) and stops it at exit,
# then runs bench/bench.php with the extension loaded. Not part of the tests.
# Environment: SHMQUEUE_SO (default target/release/libshmqueue.so, built if missing), PHP_BIN,
# BENCH_SECONDS, BENCH_RUNS, BENCH_BATCH, BENCH_ORIGINAL (see bench.php).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
php="${PHP_BIN:-php}"
so="${SHMQUEUE_SO:-$root/target/release/libshmqueue.so}"

# Packages the comparison needs; installed only when missing (apt, as root).
need_package() {
    dpkg -s "$1" >/dev/null 2>&1 && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "bench: installing $1" >&2
        apt-get install -y "$1" >/dev/null || { apt-get update >/dev/null && apt-get install -y "$1" >/dev/null; }
    else
        echo "bench: $1 is not installed (its rows will be n/a)" >&2
    fi
}
php_minor="$("$php" -r 'echo PHP_MAJOR_VERSION, ".", PHP_MINOR_VERSION;')"
need_package redis-server
need_package "php$php_minor-redis"
need_package "php$php_minor-fpm"
need_package libfcgi-bin

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
if command -v redis-server >/dev/null; then
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
scan_dir="$("$php" -r 'echo PHP_CONFIG_FILE_SCAN_DIR;')"
ini_dir="$(mktemp -d)"
trap 'cleanup; rm -rf "$ini_dir"' EXIT
for ini in "${PHP_INI_SCAN_DIR:-$scan_dir}"/*.ini; do
    [ -e "$ini" ] && ! grep -qE '^\s*(zend_)?extension\s*=.*shmqueue' "$ini" && ln -s "$ini" "$ini_dir/"
done

PHP_INI_SCAN_DIR="$ini_dir" BENCH_REDIS_PORT="$port" SHMQUEUE_SO="$so" \
    "$php" -d "extension=$so" "$here/bench.php"
