#!/usr/bin/env bash
# Leaks: (a) enqueue/dequeue pairs of mixed values plus every other API path, error paths
# included, under `USE_ZEND_ALLOC=0 valgrind`: nothing definitely or indirectly lost, no invalid
# access, and what is still reachable at exit does not grow with the number of pairs;
# (b) one php-fpm worker (pm.max_requests = 0) serving requests that each open a queue, store and
# take a mixed value: its VmRSS is the same at 10% and at 100% of the requests (< 1 MiB growth).
#   bash tests/leaks/run.sh                    20,000 pairs, 20,000 requests (CI)
#   SHMQUEUE_LONG=1 bash tests/leaks/run.sh    1,000,000 pairs (about 8 min), 100,000 requests
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/common.sh"
source "$here/../lib/fpm.sh"
require_commands valgrind cgi-fcgi "$FPM_BIN" runuser

pairs=20000 requests=20000
[ "${SHMQUEUE_LONG:-}" = 1 ] && pairs=1000000 requests=100000
make_temp_dir dir leaks
queue="leaks-$$"
at_exit "remove_queues '$queue' '$queue-tiny' '$queue-fpm'"
at_exit fpm_stop
start=$SECONDS

# valgrind_churn <pairs> <log>: runs churn.php under valgrind; prints churn's own line.
valgrind_churn() {
    USE_ZEND_ALLOC=0 ZEND_DONT_UNLOAD_MODULES=1 valgrind --leak-check=full --errors-for-leak-kinds=definite \
        --num-callers=30 --log-file="$2" "${PHP_RUN[@]}" "$here/churn.php" "$1" "$queue"
}
# leak_figure <log> <label>: the bytes after "<label>:" in valgrind's summary (0 when absent:
# valgrind omits the summary when every block was freed).
leak_figure() {
    local bytes
    bytes=$(grep -m1 "$2:" "$1" | sed 's/.*: *\([0-9,]*\) bytes.*/\1/' | tr -d ,)
    echo "${bytes:-0}"
}
error_count() {
    grep -m1 'ERROR SUMMARY' "$1" | sed 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/'
}

echo "valgrind: $pairs pairs"
t=$SECONDS
churn=$(valgrind_churn "$pairs" "$dir/valgrind.log")
echo "  churn: $churn ($((SECONDS - t)) s)"
short=$((pairs / 10))
valgrind_churn "$short" "$dir/valgrind-short.log" >/dev/null
definitely=$(leak_figure "$dir/valgrind.log" "definitely lost")
indirectly=$(leak_figure "$dir/valgrind.log" "indirectly lost")
reachable=$(leak_figure "$dir/valgrind.log" "still reachable")
reachable_short=$(leak_figure "$dir/valgrind-short.log" "still reachable")
errors=$(error_count "$dir/valgrind.log")
invalid=$(grep -c 'Invalid \(read\|write\|free\)\|uninitialised' "$dir/valgrind.log")
echo "  definitely lost: $definitely bytes, indirectly lost: $indirectly bytes"
echo "  still reachable: $reachable bytes after $pairs pairs, $reachable_short after $short"
echo "  errors: $errors (invalid accesses or uninitialised values: $invalid)"

check "churn completed with every value back intact" "pairs $pairs mismatches 0" "$(cut -d' ' -f1-4 <<<"$churn")"
check "valgrind: nothing definitely lost" 0 "$definitely"
check "valgrind: nothing indirectly lost" 0 "$indirectly"
if [ $((reachable - reachable_short)) -lt 4096 ] && [ $((reachable_short - reachable)) -lt 4096 ]; then
    pass "valgrind: still-reachable memory does not grow with the pairs"
else
    fail "valgrind: still-reachable memory does not grow with the pairs: expected $reachable_short bytes (± 4 KiB), got $reachable"
fi
if [ "$errors" = 0 ]; then
    pass "valgrind: no error (invalid access, uninitialised value, definite leak)"
else
    # Errors PHP itself makes without the extension are not the extension's.
    USE_ZEND_ALLOC=0 valgrind --log-file="$dir/valgrind-baseline.log" "$PHP_BIN" -n -r \
        'require $argv[1]; for ($i = 0; $i < 2000; $i++) { same_value(unserialize(serialize(mixed_value($i))), mixed_value($i)); }' \
        "$here/values.php" >/dev/null
    baseline=$(error_count "$dir/valgrind-baseline.log")
    grep -B2 -A25 'Invalid \|uninitialised\|definitely lost in' "$dir/valgrind.log" | sed -n 1,80p  # sed reads it all: no EPIPE
    if [ "$errors" -le "$baseline" ] && ! grep -q 'libshmqueue\|shmqueue' "$dir/valgrind.log"; then
        pass "valgrind: no error beyond PHP's own ($errors, $baseline without the extension)"
    else
        fail "valgrind: expected no error beyond PHP's own ($baseline without the extension), got $errors (above)"
    fi
fi

echo "php-fpm worker memory: $requests requests"
if fpm_prepare "$dir" "$SHMQUEUE_SO" "$here/churn-request.php" "$here/values.php" "$here/fatal-request.php" &&
    fpm_start churn < <(fpm_pool churn 1 0 0); then
    as_pool_user=()
    [ "$(id -u)" -eq 0 ] && as_pool_user=(runuser -u www-data --)
    "${as_pool_user[@]}" "$PHP_BIN" -n -d extension="$dir/shmqueue.so" -r 'new SHMQueue($argv[1], 1 << 20);' "$queue-fpm"
    "$PHP_BIN" -n "$here/memory.php" "$dir/churn.sock" "$dir/churn-request.php" "$requests" "$queue-fpm" | tee "$dir/memory.out"
    count_checks "$dir/memory.out"
    # The same worker, 20 requests that each die of memory_limit while deQueue decodes a 6 MiB
    # message: the message's copy must not stay behind in the worker each time.
    "${as_pool_user[@]}" "$PHP_BIN" -n -d extension="$dir/shmqueue.so" -r 'new SHMQueue($argv[1], 16 << 20);' "$queue-fatal"
    at_exit "remove_queues '$queue-fatal'"
    before=$(fcgi_get "$dir/churn.sock" "$dir/fatal-request.php" "rss=1")
    for _ in $(seq 20); do fcgi_get "$dir/churn.sock" "$dir/fatal-request.php" "queue=$queue-fatal" >/dev/null; done
    after=$(fcgi_get "$dir/churn.sock" "$dir/fatal-request.php" "rss=1")
    echo "worker memory before and after 20 fatal decodes: $before / $after"
    read -r _ pid_before kb_before <<<"$before"
    read -r _ pid_after kb_after <<<"$after"
    check "the same worker served the fatal requests" "$pid_before" "$pid_after"
    expect "20 memory_limit fatals inside deQueue leave no 6 MiB copies behind (RssAnon growth kB)" \
        "$(( ${kb_after:-999999} - ${kb_before:-0} ))" -lt 20000
else
    fail "starting php-fpm: expected the pool to listen, got the log above"
fi
echo "leaks suite took $((SECONDS - start)) s"
finish
