#!/usr/bin/env bash
# examples/forward-to-redis.php against a real redis-server (AOF, appendfsync always):
#   1. tasks are enqueued while the forwarder runs, Redis is killed (SIGKILL) in the middle,
#      stays down for a while and comes back on the same data: the stream must then hold every
#      task, intact (at-least-once: duplicates are counted and printed, not failed). The
#      forwarder must stop at once on SIGTERM, exit 0 and leave nothing leased.
#   2. the forwarder is SIGKILLed while it holds a batch Redis refused (Redis down): that batch
#      must not be lost (it was never acked) and reaches the stream through a new forwarder once
#      its leases run out, exactly once.
# SHMQUEUE_LONG=1: 50,000 tasks and 3 Redis crashes in part 1.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/common.sh"   # sets REPO_ROOT, SHMQUEUE_SO, PHP_BIN
root=$REPO_ROOT
if [ "${SHMQUEUE_LONG:-0}" = 1 ]; then tasks=50000; seconds=20; crashes=3; else tasks=5000; seconds=4; crashes=1; fi
require_extension
require_commands redis-server
use_php_ini   # the redis extension comes from php.ini
if ! "$PHP_BIN" -r 'exit(extension_loaded("redis") ? 0 : 1);'; then
    fail "PHP has the redis extension" "expected: php8.2-redis enabled (bash scripts/deps.sh installs it)" "came:     not loaded"
    finish
fi
make_temp_dir work redis-forward
queue=redis-forward-$$
pids=()
at_exit "remove_queues '$queue' '$queue-2'"
at_exit 'for pid in "${pids[@]}"; do kill -KILL "$pid"; wait "$pid"; done'

# figure FILE NAME: a "<name> <count>" line's count
figure() { awk -v name="$2" '$1 == name { print $2 }' "$1"; }
redis() { "$PHP_BIN" -r '$r = new Redis(); $r->connect("127.0.0.1", (int) $argv[1], 1.0);
    echo json_encode($r->rawCommand(...array_slice($argv, 2))), "\n";' "$port" "$@" 2>/dev/null; }
start_redis() {
    redis-server --port "$port" --bind 127.0.0.1 --dir "$work/redis" --appendonly yes \
        --appendfsync always --save '' --daemonize no --logfile "$work/redis.log" &
    redis_pid=$!
    pids+=("$redis_pid")
    wait_until 10 eval '[ "$(redis PING)" = true ]'
}
crash_redis() {
    kill -KILL "$redis_pid"
    wait "$redis_pid" 2>/dev/null
}
# queue_stats QUEUE KEY...: those stats() values, space-separated
queue_stats() { php_ini_ext -r '$s = (new SHMQueue($argv[1]))->stats();
    echo implode(" ", array_map(fn ($k) => $s[$k], array_slice($argv, 2))), "\n";' "$@"; }
drained() { [ "$(queue_stats "$1" ready delayed in_flight)" = "0 0 0" ]; }
# start_forwarder QUEUE STREAM LOG: sets $forwarder (php itself, not a wrapping shell)
start_forwarder() {
    "$PHP_BIN" -d extension="$SHMQUEUE_SO" "$root/examples/forward-to-redis.php" --queue "$1" \
        --redis "127.0.0.1:$port" --stream "$2" --batch 100 > "$3" 2>&1 &
    forwarder=$!
    pids+=("$forwarder")
}
# stop_forwarder: SIGTERM; sets stop_code and stop_ms (SIGKILL after 5 s: status 137)
stop_forwarder() {
    local start
    start=$(date +%s%N)
    kill -TERM "$forwarder"
    wait_until 5 eval '! kill -0 "$forwarder" 2>/dev/null' || kill -KILL "$forwarder"
    stop_code=0
    wait "$forwarder" 2>/dev/null || stop_code=$?
    stop_ms=$(( ($(date +%s%N) - start) / 1000000 ))
}
# verify STREAM COUNT: reads the stream into $work/STREAM.txt, checks what every part expects
verify() {
    local figures=$work/$1.txt
    php_ini_ext "$here/tasks.php" verify "127.0.0.1:$port" "$1" "$2" > "$figures"
    expect "no task lost" "$(figure "$figures" lost)" -eq 0
    expect "every entry is one of the tasks" "$(figure "$figures" unknown)" -eq 0
    expect "every payload arrived intact" "$(figure "$figures" damaged)" -eq 0
    expect "XLEN counts every entry read" "$(figure "$figures" xlen)" -eq "$(figure "$figures" entries)"
}

# A free port: the kernel picks one for a listener that closes at once.
port=$("$PHP_BIN" -r '$s = stream_socket_server("tcp://127.0.0.1:0");
    echo explode(":", stream_socket_get_name($s, false))[1];')
mkdir -p "$work/redis"
start_redis
expect "redis-server answers on port $port" "$(redis PING)" = true

echo "== 1. $tasks tasks over $seconds s; Redis killed $crashes time(s) in the middle, down 1.5 s each"
stream=tasks-$$
# 16 MiB buffers the whole run if Redis never came back; 10 s leases, 5 attempts.
php_ini_ext -r 'new SHMQueue($argv[1], 16 << 20, 10.0, 5);' "$queue"
start_forwarder "$queue" "$stream" "$work/forwarder.log"
start=$(date +%s%N)
"$PHP_BIN" -d extension="$SHMQUEUE_SO" "$here/tasks.php" produce "$queue" "$tasks" "$seconds" > "$work/produced.txt" &
producer=$!
pids+=("$producer")
for crash in $(seq 1 "$crashes"); do
    # Crash once the stream holds a share of the tasks, so that the restart is mid-stream.
    wait_until 60 eval '[ "$(redis XLEN "$stream")" -ge $((tasks * crash / (crashes + 1))) ]'
    before=$(redis XLEN "$stream")
    crash_redis
    sleep 1.5
    waiting=$(queue_stats "$queue" ready)
    start_redis
    echo "   crash $crash: stream had $before entries; $waiting tasks waited in the local queue meanwhile;" \
        "after restart the stream has $(redis XLEN "$stream")"
done
expect "the last crash came before the end of the stream (entries)" "$before" -lt "$tasks"
wait "$producer"
expect "the producer enqueued every task" "$(figure "$work/produced.txt" enqueued)" -eq "$tasks"
expect "the local queue never ran full" "$(figure "$work/produced.txt" refused)" -eq 0
wait_until 60 drained "$queue"
expect "the queue drained into Redis (ready delayed in_flight)" \
    "$(queue_stats "$queue" ready delayed in_flight)" = "0 0 0"
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
outages=$(grep -c "redis unavailable" "$work/forwarder.log")
expect "the forwarder noticed each outage" "$outages" -ge "$crashes"
expect "and each recovery" "$(grep -c "redis is back" "$work/forwarder.log")" -ge "$crashes"
stop_forwarder  # blocked in reserve() now: SIGTERM must end it at once
expect "the forwarder exited 0 on SIGTERM" "$stop_code" -eq 0
expect "it stopped within 1 s of SIGTERM (ms)" "$stop_ms" -lt 1000
expect "it left no job leased or dead (in_flight dead)" "$(queue_stats "$queue" in_flight dead)" = "0 0"
verify "$stream" "$tasks"
echo "   figures: $tasks tasks -> $(figure "$work/$stream.txt" entries) stream entries," \
    "$(figure "$work/$stream.txt" duplicates) duplicates, $outages outage(s); $elapsed_ms ms; stopped in $stop_ms ms"
sed 's/^/   /' "$work/forwarder.log"

echo "== 2. the forwarder SIGKILLed while holding a batch Redis refused"
stream=tasks-$$-2
# 4 s leases: a held batch is released 2 s before they end (LEASE_MARGIN), so the kill comes first.
php_ini_ext -r 'new SHMQueue($argv[1], 16 << 20, 4.0, 5);' "$queue-2"
start_forwarder "$queue-2" "$stream" "$work/forwarder-2a.log"
php_ini_ext "$here/tasks.php" produce "$queue-2" 500 0 > "$work/produced-2.txt"
wait_until 20 eval '[ "$(redis XLEN "$stream")" -ge 500 ]'
crash_redis
php_ini_ext "$here/tasks.php" produce "$queue-2" 500 0 500 >> "$work/produced-2.txt"
expect "all 1000 tasks enqueued" "$(awk '$1 == "enqueued" { s += $2 } END { print s }' "$work/produced-2.txt")" -eq 1000
wait_until 10 grep -q "holding" "$work/forwarder-2a.log"
kill -KILL "$forwarder"
wait "$forwarder" 2>/dev/null
held=$(sed -n 's/.*holding \([0-9]*\) jobs.*/\1/p' "$work/forwarder-2a.log" | tail -1)
expect "the killed forwarder held a batch" "${held:-0}" -gt 0
expect "and had not handed it back (in_flight)" "$(queue_stats "$queue-2" in_flight)" -eq "${held:-0}"
start_redis
start_forwarder "$queue-2" "$stream" "$work/forwarder-2b.log"
wait_until 20 drained "$queue-2"
expect "the queue drained once the leases ran out (ready delayed in_flight)" \
    "$(queue_stats "$queue-2" ready delayed in_flight)" = "0 0 0"
stop_forwarder
expect "the new forwarder exited 0 on SIGTERM" "$stop_code" -eq 0
verify "$stream" 1000
expect "the held batch, and only it, came from a second delivery" "$(figure "$work/$stream.txt" redelivered)" \
    -eq "${held:-0}"
expect "nothing twice: Redis never saw the held batch before" "$(figure "$work/$stream.txt" duplicates)" -eq 0
echo "   figures: $held jobs held by the killed forwarder, forwarded again after their leases ran out"

finish
