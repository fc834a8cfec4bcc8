#!/usr/bin/env bash
# The benchmark, one command: bash bench/run.sh [all|table|scaling]   (see bench/README.md for
# how long each takes). table: bench/bench.php (throughput of every peer, latency, memory);
# scaling: bench/scaling.php (cost against depth, size, consumers, queues open; recovery time;
# PNG plots into bench/plots). all (default): both. For the table it starts private servers and
# stops them at exit: a redis-server on a free loopback port (no persistence), and for the
# durable shapes two more with an append-only file (appendfsync always, everysec) and a mariadbd
# on its own socket, their files beside the durable queues' in one temp dir on disk
# (BENCH_DURABLE_ROOT, default /var/tmp). Not part of the tests.
# Environment: SHMQUEUE_SO (default target/release/libshmqueue.so, built if missing), PHP_BIN,
# BENCH_SECONDS, BENCH_RUNS, BENCH_BATCH, BENCH_ORIGINAL (see bench.php), BENCH_DURABLE_ROOT.
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
for command in $(missing_commands redis-server mariadbd cgi-fcgi "php-fpm$php_minor" gnuplot); do
    echo "bench: $command is not installed (its rows will be n/a; bash scripts/deps.sh installs it)" >&2
done
if [ ! -f "$so" ]; then
    echo "bench: $so missing, building it" >&2
    bash "$root/scripts/build.sh"
fi

pids=()
ini_dir="$(mktemp -d)"
durable_root=""
cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$ini_dir" ${durable_root:+"$durable_root"}
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free loopback port: ask the kernel for one.
free_port() {
    "$php" -r '$s = stream_socket_server("tcp://127.0.0.1:0"); echo explode(":", stream_socket_get_name($s, false))[1];'
}

# Runs PHP code (given argv[1]) until it exits 0, for up to 10 s: false if it never did.
wait_until() { # php-code argument
    local _
    for _ in $(seq 200); do
        "$php" -r "$1" "$2" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}

# A private redis-server on loopback port $1, its files in $2, further settings after them.
start_redis() { # port dir setting...
    redis-server --port "$1" --bind 127.0.0.1 --save "" --dir "$2" --daemonize no \
        --logfile "" --loglevel warning "${@:3}" >/dev/null &
    pids+=($!)
    wait_until '$s = @fsockopen("127.0.0.1", (int) $argv[1]); exit($s ? 0 : 1);' "$1"
}

# A private MariaDB server (Debian's, at its default durability: innodb_flush_log_at_trx_commit=1)
# with a new datadir $1, listening on the socket $2 only; never the system's service or config.
start_mariadb() { # datadir socket
    local user
    user="$(id -un)"
    mkdir -p "$1"
    if ! mariadb-install-db --no-defaults --datadir="$1" --user="$user" --auth-root-authentication-method=normal \
        --skip-test-db >"$1.install.log" 2>&1; then
        echo "bench: mariadb-install-db failed (its mariadb rows will be n/a):" >&2
        tail -5 "$1.install.log" >&2
        return 1
    fi
    mariadbd --no-defaults --datadir="$1" --socket="$2" --skip-networking --pid-file="$1.pid" \
        --log-error="$1.err" --user="$user" &
    pids+=($!)
    wait_until 'try { new PDO("mysql:unix_socket=$argv[1]", "root", ""); } catch (Throwable) { exit(1); }' "$2"
}

# The durable shapes' files (the extension's durable queues, Redis's append-only files, MariaDB's
# datadir) side by side on one filesystem, which must be a disk: on tmpfs a sync costs nothing.
durable_flags=()
if [ "$what" != scaling ]; then
    durable_root="$(mktemp -d "${BENCH_DURABLE_ROOT:-/var/tmp}/shmq-durable.XXXXXX")"
    fs="$(stat -f -c %T "$durable_root")"
    case "$fs" in
        tmpfs|ramfs) echo "bench: $durable_root is on $fs, not a disk: set BENCH_DURABLE_ROOT to a directory on one" >&2; exit 1 ;;
    esac
    mkdir "$durable_root/queues" "$durable_root/redis-always" "$durable_root/redis-everysec"
    durable_flags=(-d "shmqueue.durable_dir=$durable_root/queues")
    echo "bench: durable shapes' files in $durable_root ($fs)" >&2
fi

port="" always_port="" everysec_port="" mariadb_socket=""
if [ "$what" != scaling ] && command -v redis-server >/dev/null; then
    port="$(free_port)"
    start_redis "$port" /tmp --appendonly no || port=""
    always_port="$(free_port)"
    start_redis "$always_port" "$durable_root/redis-always" --appendonly yes --appendfsync always || always_port=""
    everysec_port="$(free_port)"
    start_redis "$everysec_port" "$durable_root/redis-everysec" --appendonly yes --appendfsync everysec || everysec_port=""
fi
if [ "$what" != scaling ] && command -v mariadbd >/dev/null; then
    start_mariadb "$durable_root/mariadb" "$durable_root/mariadb.sock" && mariadb_socket="$durable_root/mariadb.sock"
fi

# The extension under test is loaded with -d; an installed copy enabled in conf.d (by
# scripts/install.sh, say) would be loaded instead, so PHP reads a copy of its conf.d without it.
ini_dir_without_shmqueue "$ini_dir"

if [ "$what" != scaling ]; then
    PHP_INI_SCAN_DIR="$ini_dir" BENCH_REDIS_PORT="$port" BENCH_REDIS_ALWAYS_PORT="$always_port" \
        BENCH_REDIS_EVERYSEC_PORT="$everysec_port" BENCH_MARIADB_SOCKET="$mariadb_socket" SHMQUEUE_SO="$so" \
        "$php" -d "extension=$so" "${durable_flags[@]}" "$here/bench.php"
fi
if [ "$what" != table ]; then
    PHP_INI_SCAN_DIR="$ini_dir" SHMQUEUE_SO="$so" "$php" -d "extension=$so" "$here/scaling.php"
fi
