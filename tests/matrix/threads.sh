#!/usr/bin/env bash
# The threaded test on a thread-safe PHP: threads.c runs THREADS PHP threads at once (embed SAPI),
# each serving ROUNDS requests of thread.php, OPS operations each, with objects of its own: a
# queue of its own (in order, plain and reserve/ack), and a small queue shared with consumer.php,
# another process, which answers every message on a reply queue the threads block on. Nothing
# may be lost or duplicated, and nothing left behind. Then the same, smaller, under helgrind
# (valgrind's data race detector), which must report nothing.
#   PHP_BIN=<zts>/bin/php PHP_CONFIG=<zts>/bin/php-config bash tests/matrix/threads.sh SHMQUEUE_SO
#   MT_THREADS (8), MT_ROUNDS (3), MT_OPS (500) override the sizes; MT_HELGRIND_THREADS (4) and
#   MT_HELGRIND_OPS (100) those of the helgrind run (1 request per thread)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# Before the library: it sets up how PHP loads SHMQUEUE_SO (the ZTS build here, whatever the
# caller exported for the host's PHP).
export SHMQUEUE_SO=$1
source "$here/../lib/common.sh"
threads=${MT_THREADS:-8} rounds=${MT_ROUNDS:-3} ops=${MT_OPS:-500}
make_temp_dir temp threads
require_extension
require_commands gcc valgrind

driver="$temp/threads"
if ! gcc -O1 -g -pthread -o "$driver" "$here/threads.c" $("$PHP_CONFIG" --includes) \
    -L"$("$PHP_CONFIG" --prefix)/lib" -Wl,-rpath,"$("$PHP_CONFIG" --prefix)/lib" -lphp 2>"$temp/gcc.log"; then
    fail "threads.c builds against the embed SAPI" "$(head -20 "$temp/gcc.log")"
    finish
fi
pass "threads.c builds against the embed SAPI"
echo "extension=$SHMQUEUE_SO" > "$temp/php.ini"

# One run: THREADS PHP threads x ROUNDS requests x OPS operations, the driver started through
# WRAPPER (a command prefix: valgrind). The shared queue is small (16 KiB), so that senders
# block for room while the consumer works.
run_threads() { # label threads rounds ops [wrapper...]
    local label=$1 threads=$2 rounds=$3 ops=$4 total=$(($2 * $3 * $4)) prefix="matrix-threads-$$" started status consumer
    shift 4
    [ -n "$label" ] && prefix="$prefix-$label"
    at_exit "remove_queues $prefix-shared $prefix-replies"
    php_ext -r 'new SHMQueue($argv[1], 16384); new SHMQueue($argv[2]);' "$prefix-shared" "$prefix-replies"
    php_ext "$here/consumer.php" "$prefix" "$total" > "$temp/consumer.out" 2>&1 &
    consumer=$!
    at_exit "kill $consumer"
    started=$(seconds_now)
    MT_PREFIX=$prefix MT_OPS=$ops "$@" "$driver" "$temp/php.ini" "$here/thread.php" "$threads" "$rounds" > "$temp/threads.out" 2>&1
    status=$?
    wait "$consumer"
    label=${label:+$label: }

    check "${label}driver: every request of every thread reported (exit status)" 0 "$status" "$(grep -v '^thread' "$temp/threads.out" | head -10)"
    check "${label}driver: $threads threads x $rounds requests" "requests reported: $((threads * rounds)) of $((threads * rounds))" \
        "$(grep '^requests reported' "$temp/threads.out")"
    local in_order left sent replies sum
    read -r in_order left sent replies sum < <(awk '/^thread .* round / {
            split($6, own, "/"); in_order += own[1]; left += $9; sent += $12; replies += $14; sum += $16 }
        END { printf "%d %d %d %d %.0f\n", in_order, left, sent, replies, sum }' "$temp/threads.out")
    check "${label}own queues: every value came back equal and in order" "$total" "$in_order"
    check "${label}own queues: nothing left in them" 0 "$left"
    check "${label}shared queue: every message sent" "$total" "$sent"
    check "${label}consumer (another process) got each message once" \
        "consumer: $total distinct, 0 duplicates, 0 malformed" "$(cat "$temp/consumer.out")"
    check "${label}threads got every reply (blocking deQueue)" "$total" "$replies"
    check "${label}the replies were each number 1..$total once (their sum)" "$((total * (total + 1) / 2))" "$sum"
    check "${label}shared and reply queues are empty afterwards" "0 0" \
        "$(php_ext -r 'echo count(new SHMQueue($argv[1])), " ", count(new SHMQueue($argv[2]));' "$prefix-shared" "$prefix-replies")"
    remove_queues "$prefix-shared" "$prefix-replies"
    check "${label}the test's queues are removed" "" "$(ls /dev/shm | grep -F "$prefix")"
    echo "figures: ${label}$threads threads x $rounds requests x $ops operations = $total messages each way, $(seconds_since "$started") s"
}
run_threads "" "$threads" "$rounds" "$ops"

# Data races: the same under helgrind, valgrind's race detector, smaller (it runs one thread at a
# time, slowly). It models pthread mutexes, which the queue's lock is (process-shared, robust),
# and reports any access two threads make with no lock or other ordering between them. Its
# default suppressions hide only glibc's own internals (its mutex code, stdio), which it cannot
# model; any report with another frame on top (shmqueue, PHP) is an error.
run_threads helgrind "${MT_HELGRIND_THREADS:-4}" 1 "${MT_HELGRIND_OPS:-100}" \
    valgrind --tool=helgrind --error-exitcode=3 --log-file="$temp/helgrind.log"
check "helgrind: no data race or lock-order error" "ERROR SUMMARY: 0 errors" \
    "$(grep -o 'ERROR SUMMARY: [0-9]* errors' "$temp/helgrind.log")" "$(grep -m1 -A12 'Possible data race\|lock order' "$temp/helgrind.log" | sed 's/^==[0-9]*== //')"
finish
